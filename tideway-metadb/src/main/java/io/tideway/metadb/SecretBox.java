package io.tideway.metadb;

import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts secrets (data source passwords) for storage in the MetaDB with AES-256-GCM.
 *
 * <p>The key is 32 random bytes kept base64-encoded in {@code secret.key} of the data directory,
 * created on first use readable by its owner only (0600). Every value gets a fresh random 96-bit
 * IV. A stored value is {@code "v1:" + base64(iv || ciphertext || tag)}; the prefix is the format
 * version. Every node that shares one MetaDB needs the same key file.
 *
 * <p>Neither the key nor any plain text is ever logged or put in an exception message.
 */
public final class SecretBox {
    static final String KEY_FILE = "secret.key";
    private static final String V1 = "v1:";
    private static final int KEY_BYTES = 32;
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;
    private final Path keyFile;

    private SecretBox(byte[] key, Path keyFile) {
        this.key = new SecretKeySpec(key, "AES");
        this.keyFile = keyFile;
    }

    /** The box of {@code dataDir}, creating the directory and its key file when absent. */
    public static SecretBox forDataDir(Path dataDir) {
        Path file = dataDir.resolve(KEY_FILE);
        try {
            Files.createDirectories(dataDir);
            if (!Files.exists(file)) {
                try {
                    create(file);
                } catch (FileAlreadyExistsException raced) {
                    // another process created it first: read theirs
                }
            }
            return new SecretBox(readKey(file), file);
        } catch (IOException e) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID,
                    "cannot read or create the secret key file " + file + ": " + e.getMessage(), e);
        }
    }

    private static void create(Path file) throws IOException {
        byte[] k = new byte[KEY_BYTES];
        RANDOM.nextBytes(k);
        byte[] text = (Base64.getEncoder().encodeToString(k) + "\n").getBytes(StandardCharsets.US_ASCII);
        Path tmp;
        try {
            tmp = Files.createTempFile(file.getParent(), ".secret", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            tmp = Files.createTempFile(file.getParent(), ".secret", ".tmp");
        }
        try {
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE)) {
                out.write(text);
            }
            publish(tmp, file);
        } finally {
            Files.deleteIfExists(tmp);
            Arrays.fill(k, (byte) 0);
        }
    }

    /** Puts the complete key file in place atomically; fails with FileAlreadyExistsException if one exists. */
    private static void publish(Path tmp, Path file) throws IOException {
        try {
            Files.createLink(file, tmp); // a hard link never replaces an existing file
        } catch (FileAlreadyExistsException e) {
            throw e;
        } catch (UnsupportedOperationException | IOException noLinks) {
            Files.move(tmp, file); // without REPLACE_EXISTING: also refuses to replace
        }
    }

    private static byte[] readKey(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        byte[] k;
        try {
            k = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            k = new byte[0];
        }
        if (k.length != KEY_BYTES) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, "the secret key file " + file
                    + " is damaged: expected " + KEY_BYTES + " base64-encoded bytes; restore it from a backup");
        }
        return k;
    }

    /** The key file this box uses. */
    public Path keyFile() {
        return keyFile;
    }

    /** Encrypts {@code plain} (null is treated as the empty string) into a storable string. */
    public String encrypt(String plain) {
        byte[] iv = new byte[IV_BYTES];
        RANDOM.nextBytes(iv);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            byte[] ct = c.doFinal((plain == null ? "" : plain).getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[IV_BYTES + ct.length];
            System.arraycopy(iv, 0, out, 0, IV_BYTES);
            System.arraycopy(ct, 0, out, IV_BYTES, ct.length);
            return V1 + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new TidewayException(ErrorCode.INTERNAL, "cannot encrypt a secret: " + e.getClass().getSimpleName(), e);
        }
    }

    /** Decrypts a string made by {@link #encrypt}; fails clearly when the key is not the one it was made with. */
    public String decrypt(String stored) {
        if (stored == null || !stored.startsWith(V1)) {
            String version = stored == null || stored.indexOf(':') < 0 ? "none" : stored.substring(0, stored.indexOf(':'));
            throw new TidewayException(ErrorCode.INTERNAL, "a stored secret has format version '" + version
                    + "'; this Tideway reads only v1 (was the MetaDB written by a newer Tideway?)");
        }
        byte[] in;
        try {
            in = Base64.getDecoder().decode(stored.substring(V1.length()));
        } catch (IllegalArgumentException e) {
            in = new byte[0];
        }
        if (in.length < IV_BYTES + TAG_BITS / 8) {
            throw new TidewayException(ErrorCode.INTERNAL, "a stored secret is damaged (too short to be a v1 value)");
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, IV_BYTES));
            return new String(c.doFinal(in, IV_BYTES, in.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, "cannot decrypt a stored password with the key in "
                    + keyFile + ": it is not the key the MetaDB was written with (restore the original "
                    + KEY_FILE + " of this data directory, or re-enter the passwords)", e);
        } catch (GeneralSecurityException e) {
            throw new TidewayException(ErrorCode.INTERNAL, "cannot decrypt a secret: " + e.getClass().getSimpleName(), e);
        }
    }
}
