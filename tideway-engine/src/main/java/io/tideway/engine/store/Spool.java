package io.tideway.engine.store;

import io.tideway.core.change.ChangeEvent;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Store's durable log of captured changes: append-only segment files
 * {@code seg-<n>.tws} in one directory. A record is {@code [int length][int crc32][payload]}
 * ({@link ChangeCodec}). {@link #append} writes a batch and forces it to disk before returning,
 * so a change the capture handed over survives the process being killed and the source purging
 * its log. A record cut short by a crash is dropped when the spool is opened again. Events whose
 * position is not after the last one spooled (a capture re-reading after a restart) are skipped.
 *
 * <p>One writer; readers ({@link Reader}) follow the writer from any address.
 */
public final class Spool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Spool.class);
    /** Reused by {@link #append} (which is synchronized). */
    private Bytes.Out appendBuffer = new Bytes.Out(64 * 1024);
    private final CRC32 crc = new CRC32();
    static final long SEGMENT_BYTES = 64L * 1024 * 1024;
    private static final String PREFIX = "seg-";
    private static final String SUFFIX = ".tws";

    /** The address of a record: segment number and byte offset in it. */
    public record Address(long segment, long offset) implements Comparable<Address> {
        @Override
        public int compareTo(Address o) {
            int c = Long.compare(segment, o.segment);
            return c != 0 ? c : Long.compare(offset, o.offset);
        }
    }

    private final Path dir;
    private final long segmentBytes;
    private FileChannel out;
    private long segment;
    private long size;
    private String lastPosition;
    private long lastSourceMillis;
    private long appended;
    /** Sizes of segments before the one being written, as {@link #bytesAfter} counts them (see {@link #closedSize}). */
    private final Map<Long, Long> closedSizes = new HashMap<>();
    private long offered;
    private long changesAppended;

    private Spool(Path dir, long segmentBytes) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
    }

    /** Opens (creating) the spool in {@code dir}, recovering its end after a crash. */
    public static Spool open(Path dir) {
        return open(dir, SEGMENT_BYTES);
    }

    static Spool open(Path dir, long segmentBytes) {
        Spool s = new Spool(dir, segmentBytes);
        try {
            Files.createDirectories(dir);
            s.recover();
        } catch (IOException e) {
            throw new TidewayException(ErrorCode.INTERNAL, "cannot open the spool " + dir + ": " + e.getMessage(), e);
        }
        return s;
    }

    private void recover() throws IOException {
        List<Long> segs = segments(dir);
        segment = segs.isEmpty() ? 1 : segs.get(segs.size() - 1);
        Path f = file(dir, segment);
        // find the last whole record; cut anything after it (a torn write)
        long valid = 0;
        if (Files.exists(f)) {
            try (Reader r = new Reader(dir, new Address(segment, 0))) {
                ChangeEvent e;
                while ((e = r.readOne()) != null) {
                    lastPosition = e.position();
                    lastSourceMillis = e.sourceMillis();
                    valid = r.address().offset();
                }
            }
            if (lastPosition == null && segs.size() > 1) {
                // the newest segment is empty: the last position is in the one before
                try (Reader r = new Reader(dir, new Address(segs.get(segs.size() - 2), 0))) {
                    ChangeEvent e;
                    while ((e = r.readOne()) != null && r.address().segment() < segment) {
                        lastPosition = e.position();
                        lastSourceMillis = e.sourceMillis();
                    }
                }
            }
        }
        out = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        if (out.size() > valid) {
            LOG.warn("spool {}: cutting {} bytes of a record torn by a crash", f, out.size() - valid);
            out.truncate(valid);
            out.force(true);
        }
        size = valid;
        out.position(size);
    }

    public Path directory() {
        return dir;
    }

    /** The position of the last event spooled, or null when the spool is empty. */
    public synchronized String lastPosition() {
        return lastPosition;
    }

    public synchronized long lastSourceMillis() {
        return lastSourceMillis;
    }

    /**
     * Events handed to {@link #append} since this spool was opened, those it skipped as already
     * spooled included: a capture that resumes on an idle source delivers heartbeats at the
     * position it resumed from, which are not appended again but show that it delivers.
     */
    public synchronized long offered() {
        return offered;
    }

    /** Events appended since this spool was opened. */
    public synchronized long appended() {
        return appended;
    }

    /** Changes (events other than heartbeats) appended since this spool was opened. */
    public synchronized long changesAppended() {
        return changesAppended;
    }

    /**
     * Why the spool in {@code dir} (not open) cannot be read from {@code at} (an address a reader
     * reached before), or null when it can: the segment is gone, or holds fewer bytes than the address counts. A spool
     * directory lost and created again empty lacks every address but the first.
     */
    public static String lacks(Path dir, Address at) {
        Path f = file(dir, at.segment());
        try {
            long have = Files.exists(f) ? Files.size(f) : -1;
            if (have < 0) {
                return "it has no segment " + f.getFileName();
            }
            return have < at.offset() ? "its segment " + f.getFileName() + " holds " + have + " bytes, not the "
                    + at.offset() + " already read from it" : null;
        } catch (IOException e) {
            return "its segment " + f.getFileName() + " cannot be read: " + e.getMessage();
        }
    }

    /** The address the next record will be written at. */
    public synchronized Address end() {
        return new Address(segment, size);
    }

    /** Appends the events that come after the last spooled position, then forces them to disk. */
    public synchronized int append(List<ChangeEvent> batch) {
        try {
            Bytes.Out buf = appendBuffer;
            buf.reset();
            int n = 0;
            int changes = 0;
            int skipped = 0;
            offered += batch.size();
            for (ChangeEvent e : batch) {
                if (lastPosition != null && e.position().compareTo(lastPosition) <= 0) {
                    if (e.op() != ChangeEvent.Op.HEARTBEAT && skipped++ == 0) {
                        LOG.info("spool {}: {} {} at {} is not after the last spooled position {}: taken as re-delivered", dir,
                                e.op(), e.table(), e.position(), lastPosition);
                    }
                    continue;   // re-delivered after a capture restart: already spooled
                }
                // [length, crc32, record]: the header is filled in once the record is written
                int header = buf.size;
                buf.writeLong(0);
                ChangeCodec.write(buf, e);
                int len = buf.size - header - 8;
                crc.reset();
                crc.update(buf.buf, header + 8, len);
                Bytes.putInt(buf.buf, header, len);
                Bytes.putInt(buf.buf, header + 4, (int) crc.getValue());
                lastPosition = e.position();
                lastSourceMillis = Math.max(lastSourceMillis, e.sourceMillis());
                if (e.op() != ChangeEvent.Op.HEARTBEAT) {
                    changes++;
                }
                n++;
            }
            if (n == 0) {
                return 0;
            }
            if (size > 0 && size + buf.size > segmentBytes) {
                roll();
            }
            ByteBuffer bb = ByteBuffer.wrap(buf.buf, 0, buf.size);
            while (bb.hasRemaining()) {
                out.write(bb);
            }
            out.force(false);
            size += buf.size;
            if (buf.buf.length > (8 << 20)) {
                appendBuffer = new Bytes.Out(64 * 1024); // do not keep a huge batch's buffer
            }
            appended += n;
            changesAppended += changes;
            notifyAll();
            return n;
        } catch (IOException e) {
            throw new TidewayException(ErrorCode.INTERNAL, "cannot write the spool " + dir + ": " + e.getMessage(), e);
        }
    }

    private void roll() throws IOException {
        out.force(true);
        out.close();
        closedSizes.put(segment, size);
        segment++;
        size = 0;
        out = FileChannel.open(file(dir, segment), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    /** Bytes spooled after {@code a}, across segments. */
    public synchronized long bytesAfter(Address a) {
        if (a.segment() >= segment) {
            return Math.max(0, size - a.offset());
        }
        long n = size;
        for (long s = a.segment(); s < segment; s++) {
            long len = closedSize(s);
            n += s == a.segment() ? Math.max(0, len - a.offset()) : len;
        }
        return n;
    }

    /** The size of a segment no longer written to (they never change), read from disk once; 0 once purged. */
    private long closedSize(long s) {
        Long len = closedSizes.get(s);
        if (len == null) {
            try {
                len = Files.size(file(dir, s));
            } catch (IOException purged) {
                return 0;   // a segment deleted meanwhile holds nothing to read
            }
            closedSizes.put(s, len);
        }
        return len;
    }

    /** Waits up to {@code millis} until at least {@code bytes} are spooled after {@code a}; true when they are. */
    public synchronized boolean awaitBytes(Address a, long bytes, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (bytesAfter(a) < bytes) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    /** Waits up to {@code millis} for data after {@code a}; true when there is some. */
    public boolean awaitData(Address a, long millis) throws InterruptedException {
        return awaitBytes(a, 1, millis);
    }

    /**
     * Deletes whole segments that every consumer has passed ({@code before}) and that are older than
     * {@code retention}; the segment being written is never deleted. Returns how many were deleted.
     */
    public synchronized int purge(Address before, Duration retention) {
        int n = 0;
        try {
            for (long s : segments(dir)) {
                Path f = file(dir, s);
                if (s >= before.segment() || s >= segment) {
                    break;
                }
                Instant modified = Files.getLastModifiedTime(f).toInstant();
                if (modified.plus(retention).isBefore(Instant.now())) {
                    Files.delete(f);
                    closedSizes.remove(s);
                    n++;
                }
            }
        } catch (IOException e) {
            LOG.warn("spool {}: purge failed: {}", dir, e.toString());
        }
        return n;
    }

    /** Bytes the spool holds on disk. */
    public long diskBytes() {
        try (Stream<Path> s = Files.list(dir)) {
            return s.mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.force(true);
            out.close();
        } catch (IOException e) {
            LOG.warn("closing the spool {}: {}", dir, e.toString());
        }
    }

    static List<Long> segments(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(PREFIX) && n.endsWith(SUFFIX))
                    .map(n -> Long.parseLong(n.substring(PREFIX.length(), n.length() - SUFFIX.length())))
                    .sorted().toList();
        }
    }

    static Path file(Path dir, long segment) {
        return dir.resolve(String.format("%s%012d%s", PREFIX, segment, SUFFIX));
    }

    /**
     * Reads records from an address on, crossing segments. {@link #readOne} returns null at the
     * current end (more may come later) and never returns a torn record.
     */
    public static final class Reader implements AutoCloseable {
        private final Path dir;
        private long segment;
        private long offset;
        private FileChannel in;
        private static final int WINDOW = 256 * 1024;
        private ByteBuffer win = ByteBuffer.allocate(WINDOW);
        private long winStart;
        private int winLen;
        private final CRC32 crc = new CRC32();
        private final java.util.Map<io.tideway.core.model.TableId, List<String>> columns = new java.util.HashMap<>();

        public Reader(Path dir, Address from) {
            this.dir = dir;
            this.segment = from.segment();
            this.offset = from.offset();
        }

        /** The address after the last record returned. */
        public Address address() {
            return new Address(segment, offset);
        }

        public ChangeEvent readOne() throws IOException {
            while (true) {
                if (in == null) {
                    Path f = file(dir, segment);
                    if (!Files.exists(f)) {
                        return null;
                    }
                    in = FileChannel.open(f, StandardOpenOption.READ);
                    winLen = 0;
                }
                if (ensure(offset, 8)) {
                    int base = (int) (offset - winStart);
                    byte[] w = win.array();
                    int len = getInt(w, base);
                    int crc = getInt(w, base + 4);
                    if (len < 0 || (offset + 8 + len > winStart + winLen && offset + 8 + len > in.size())) {
                        return null;   // not yet complete (or torn)
                    }
                    if (!ensure(offset, 8 + len)) {
                        return null;
                    }
                    base = (int) (offset - winStart);
                    w = win.array();
                    this.crc.reset();
                    this.crc.update(w, base + 8, len);
                    if ((int) this.crc.getValue() != crc) {
                        return null;   // torn or not yet complete
                    }
                    offset += 8 + len;
                    return ChangeCodec.read(new Bytes.In(w, base + 8, base + 8 + len), columns);
                }
                // at the end of this segment: go on only if a newer one exists
                if (Files.exists(file(dir, segment + 1)) && offset >= in.size()) {
                    in.close();
                    in = null;
                    segment++;
                    offset = 0;
                    continue;
                }
                return null;
            }
        }

        /**
         * Makes the file's bytes {@code [at, at + n)} available in the read-ahead window (records are
         * read from the file in large pieces, not one system call per record); false when the file
         * does not hold them (yet).
         */
        private boolean ensure(long at, int n) throws IOException {
            if (at >= winStart && at + n <= winStart + winLen) {
                return true;
            }
            if (win.capacity() < n || win.capacity() > WINDOW && n <= WINDOW) {
                win = ByteBuffer.allocate(Math.max(n, WINDOW));
            }
            win.clear();
            long p = at;
            while (win.hasRemaining()) {
                int r = in.read(win, p);
                if (r <= 0) {
                    break;
                }
                p += r;
            }
            winStart = at;
            winLen = win.position();
            return winLen >= n;
        }

        private static int getInt(byte[] b, int at) {
            return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
        }

        /** Reads up to {@code max} records. */
        public List<ChangeEvent> read(int max) throws IOException {
            List<ChangeEvent> out = new ArrayList<>();
            ChangeEvent e;
            while (out.size() < max && (e = readOne()) != null) {
                out.add(e);
            }
            return out;
        }

        @Override
        public void close() throws IOException {
            if (in != null) {
                in.close();
            }
        }
    }
}
