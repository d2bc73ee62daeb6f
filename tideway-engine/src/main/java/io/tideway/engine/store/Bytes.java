package io.tideway.engine.store;

import java.io.EOFException;
import java.io.IOException;
import java.io.UTFDataFormatException;
import java.util.Arrays;

/**
 * Big-endian primitives over a plain byte array, bit-for-bit what {@link java.io.DataOutputStream}
 * and {@link java.io.DataInputStream} write and read, without their per-byte, synchronized calls:
 * the spool encodes and decodes every change captured, so this is on the hot path.
 */
final class Bytes {
    private Bytes() { }

    /** A growable output buffer; {@link #reset} keeps the array for the next use. */
    static final class Out {
        byte[] buf;
        int size;

        Out(int capacity) {
            buf = new byte[Math.max(16, capacity)];
        }

        void reset() {
            size = 0;
        }

        private void ensure(int more) {
            if (size + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
            }
        }

        void writeByte(int v) {
            ensure(1);
            buf[size++] = (byte) v;
        }

        void writeBoolean(boolean v) {
            writeByte(v ? 1 : 0);
        }

        void writeShort(int v) {
            ensure(2);
            buf[size++] = (byte) (v >>> 8);
            buf[size++] = (byte) v;
        }

        void writeInt(int v) {
            ensure(4);
            putInt(buf, size, v);
            size += 4;
        }

        void writeLong(long v) {
            ensure(8);
            for (int shift = 56; shift >= 0; shift -= 8) {
                buf[size++] = (byte) (v >>> shift);
            }
        }

        void writeFloat(float v) {
            writeInt(Float.floatToIntBits(v));
        }

        void writeDouble(double v) {
            writeLong(Double.doubleToLongBits(v));
        }

        void write(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, buf, size, b.length);
            size += b.length;
        }

        /** {@link java.io.DataOutput#writeUTF}: a 2-byte length, then modified UTF-8. */
        void writeUTF(String s) throws IOException {
            int n = s.length();
            int len = 0;
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                len += c >= 0x0001 && c <= 0x007F ? 1 : c <= 0x07FF ? 2 : 3;
            }
            if (len > 65535) {
                throw new UTFDataFormatException("encoded string too long: " + len + " bytes");
            }
            writeShort(len);
            ensure(len);
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c >= 0x0001 && c <= 0x007F) {
                    buf[size++] = (byte) c;
                } else if (c <= 0x07FF) {
                    buf[size++] = (byte) (0xC0 | ((c >> 6) & 0x1F));
                    buf[size++] = (byte) (0x80 | (c & 0x3F));
                } else {
                    buf[size++] = (byte) (0xE0 | ((c >> 12) & 0x0F));
                    buf[size++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                    buf[size++] = (byte) (0x80 | (c & 0x3F));
                }
            }
        }
    }

    static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    /** A reader over {@code buf[pos, end)}. */
    static final class In {
        private final byte[] buf;
        private int pos;
        private final int end;

        In(byte[] buf, int from, int end) {
            this.buf = buf;
            this.pos = from;
            this.end = end;
        }

        private void need(int n) throws EOFException {
            if (pos + n > end) {
                throw new EOFException("spool record ends early");
            }
        }

        int readUnsignedByte() throws EOFException {
            need(1);
            return buf[pos++] & 0xFF;
        }

        boolean readBoolean() throws EOFException {
            return readUnsignedByte() != 0;
        }

        short readShort() throws EOFException {
            need(2);
            int v = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
            pos += 2;
            return (short) v;
        }

        int readUnsignedShort() throws EOFException {
            return readShort() & 0xFFFF;
        }

        int readInt() throws EOFException {
            need(4);
            int v = ((buf[pos] & 0xFF) << 24) | ((buf[pos + 1] & 0xFF) << 16) | ((buf[pos + 2] & 0xFF) << 8) | (buf[pos + 3] & 0xFF);
            pos += 4;
            return v;
        }

        long readLong() throws EOFException {
            need(8);
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (buf[pos++] & 0xFF);
            }
            return v;
        }

        float readFloat() throws EOFException {
            return Float.intBitsToFloat(readInt());
        }

        double readDouble() throws EOFException {
            return Double.longBitsToDouble(readLong());
        }

        byte[] readBytes(int n) throws IOException {
            if (n < 0) {
                throw new IOException("negative length " + n + " in the spool");
            }
            need(n);
            byte[] b = Arrays.copyOfRange(buf, pos, pos + n);
            pos += n;
            return b;
        }

        /** A UTF-8 string of {@code n} bytes. */
        String readString(int n) throws IOException {
            if (n < 0) {
                throw new IOException("negative length " + n + " in the spool");
            }
            need(n);
            String s = new String(buf, pos, n, java.nio.charset.StandardCharsets.UTF_8);
            pos += n;
            return s;
        }

        /** {@link java.io.DataInput#readUTF}. */
        String readUTF() throws IOException {
            int len = readUnsignedShort();
            need(len);
            boolean ascii = true;
            for (int i = pos; i < pos + len; i++) {
                if (buf[i] <= 0) { // 0x80.. (negative) or an encoded NUL never appears as 0x00
                    ascii = false;
                    break;
                }
            }
            if (ascii) {
                String s = new String(buf, pos, len, java.nio.charset.StandardCharsets.ISO_8859_1);
                pos += len;
                return s;
            }
            String s = new java.io.DataInputStream(new java.io.ByteArrayInputStream(buf, pos - 2, len + 2)).readUTF();
            pos += len;
            return s;
        }

        /** Whether the bytes at the current position equal {@code b[from, to)}. */
        boolean startsWith(byte[] b, int from, int to) {
            int n = to - from;
            return pos + n <= end && Arrays.equals(buf, pos, pos + n, b, from, to);
        }

        int position() {
            return pos;
        }

        void skip(int n) throws EOFException {
            need(n);
            pos += n;
        }

        byte[] array() {
            return buf;
        }
    }
}
