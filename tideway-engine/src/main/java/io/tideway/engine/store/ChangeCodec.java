package io.tideway.engine.store;

import io.tideway.core.change.ChangeEvent;
import io.tideway.core.model.TableId;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The binary form of a {@link ChangeEvent} in the spool. Format version 1:
 * {@code version, op, position, sourceMillis, schema?, table?, columns, before?, after?, ddl?},
 * values tagged by Java type (canonical values only), big-endian as {@link java.io.DataOutput}
 * writes them. An unknown version is refused.
 */
public final class ChangeCodec {
    public static final int VERSION = 1;
    private static final ChangeEvent.Op[] OPS = ChangeEvent.Op.values();

    private ChangeCodec() { }

    static void write(Bytes.Out out, ChangeEvent e) throws IOException {
        out.writeByte(VERSION);
        out.writeByte(e.op().ordinal());
        out.writeUTF(e.position());
        out.writeLong(e.sourceMillis());
        writeNullable(out, e.table() == null ? null : e.table().schema());
        writeNullable(out, e.table() == null ? null : e.table().table());
        out.writeShort(e.columns().size());
        for (String c : e.columns()) {
            writeString(out, c);
        }
        writeRow(out, e.before());
        writeRow(out, e.after());
        writeNullable(out, e.ddl());
    }

    /**
     * Decodes one record. Events of one table with the same columns get the same column-list
     * instance as the previous such event ({@code columnCache}, kept by the caller), so consumers
     * can recognise it without comparing names.
     */
    static ChangeEvent read(Bytes.In in, Map<TableId, List<String>> columnCache) throws IOException {
        int v = in.readUnsignedByte();
        if (v != VERSION) {
            throw new IOException("spool record format version " + v + " is not known to this Tideway (knows " + VERSION + ")");
        }
        ChangeEvent.Op op = OPS[in.readUnsignedByte()];
        String position = in.readUTF();
        long millis = in.readLong();
        String schema = readNullable(in);
        String table = readNullable(in);
        TableId id = schema == null ? null : new TableId(schema, table);
        int n = in.readUnsignedShort();
        List<String> cached = id == null ? null : columnCache.get(id);
        List<String> cols;
        if (cached != null && cached.size() == n && sameNames(in, cached)) {
            cols = cached;
        } else {
            List<String> read = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                read.add(readString(in));
            }
            cols = java.util.Collections.unmodifiableList(read);
            if (id != null) {
                columnCache.put(id, cols);
            }
        }
        Object[] before = readRow(in);
        Object[] after = readRow(in);
        String ddl = readNullable(in);
        return new ChangeEvent(op, id, cols, before, after, ddl, millis, position);
    }

    /** Whether the next column names equal {@code names}; if so they are skipped, else nothing is consumed. */
    private static boolean sameNames(Bytes.In in, List<String> names) throws IOException {
        int start = in.position();
        byte[] buf = in.array();
        int at = start;
        for (String name : names) {
            byte[] b = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (at + 4 + b.length > buf.length) {
                return false;
            }
            int len = ((buf[at] & 0xFF) << 24) | ((buf[at + 1] & 0xFF) << 16) | ((buf[at + 2] & 0xFF) << 8) | (buf[at + 3] & 0xFF);
            if (len != b.length || !java.util.Arrays.equals(buf, at + 4, at + 4 + len, b, 0, len)) {
                return false;
            }
            at += 4 + len;
        }
        in.skip(at - start);
        return true;
    }

    private static void writeRow(Bytes.Out out, Object[] row) throws IOException {
        if (row == null) {
            out.writeShort(-1);
            return;
        }
        out.writeShort(row.length);
        for (Object v : row) {
            writeValue(out, v);
        }
    }

    private static Object[] readRow(Bytes.In in) throws IOException {
        int n = in.readShort();
        if (n < 0) {
            return null;
        }
        Object[] row = new Object[n];
        for (int i = 0; i < n; i++) {
            row[i] = readValue(in);
        }
        return row;
    }

    static void writeValue(Bytes.Out out, Object v) throws IOException {
        if (v == null) {
            out.writeByte(0);
        } else if (v instanceof Long l) {
            out.writeByte(1);
            out.writeLong(l);
        } else if (v instanceof Integer i) {
            out.writeByte(1);
            out.writeLong(i);
        } else if (v instanceof Short s) {
            out.writeByte(1);
            out.writeLong(s);
        } else if (v instanceof Byte b) {
            out.writeByte(1);
            out.writeLong(b);
        } else if (v instanceof BigInteger b) {
            out.writeByte(2);
            writeString(out, b.toString());
        } else if (v instanceof BigDecimal d) {
            out.writeByte(3);
            writeString(out, d.toString());
        } else if (v instanceof String s) {
            out.writeByte(4);
            writeString(out, s);
        } else if (v instanceof byte[] b) {
            out.writeByte(5);
            out.writeInt(b.length);
            out.write(b);
        } else if (v instanceof Boolean b) {
            out.writeByte(6);
            out.writeBoolean(b);
        } else if (v instanceof Float f) {
            out.writeByte(7);
            out.writeFloat(f);
        } else if (v instanceof Double d) {
            out.writeByte(8);
            out.writeDouble(d);
        } else {
            throw new IOException("value of type " + v.getClass().getName() + " is not a canonical value");
        }
    }

    static Object readValue(Bytes.In in) throws IOException {
        int tag = in.readUnsignedByte();
        return switch (tag) {
            case 0 -> null;
            case 1 -> in.readLong();
            case 2 -> new BigInteger(readString(in));
            case 3 -> new BigDecimal(readString(in));
            case 4 -> readString(in);
            case 5 -> in.readBytes(in.readInt());
            case 6 -> in.readBoolean();
            case 7 -> in.readFloat();
            case 8 -> in.readDouble();
            default -> throw new IOException("unknown value tag " + tag + " in the spool");
        };
    }

    /** Strings of any length (writeUTF stops at 64 KB), as UTF-8 with an int length. */
    static void writeString(Bytes.Out out, String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    static String readString(Bytes.In in) throws IOException {
        return in.readString(in.readInt());
    }

    private static void writeNullable(Bytes.Out out, String s) {
        out.writeBoolean(s != null);
        if (s != null) {
            writeString(out, s);
        }
    }

    private static String readNullable(Bytes.In in) throws IOException {
        return in.readBoolean() ? readString(in) : null;
    }
}
