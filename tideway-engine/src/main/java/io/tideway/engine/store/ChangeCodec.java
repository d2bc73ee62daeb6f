package io.tideway.engine.store;

import io.tideway.core.change.ChangeEvent;
import io.tideway.core.model.TableId;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary form of a {@link ChangeEvent} in the spool. Format version 1:
 * {@code version, op, position, sourceMillis, schema?, table?, columns, before?, after?, ddl?},
 * values tagged by Java type (canonical values only). An unknown version is refused.
 */
public final class ChangeCodec {
    public static final int VERSION = 1;
    private static final ChangeEvent.Op[] OPS = ChangeEvent.Op.values();

    private ChangeCodec() { }

    public static void write(DataOutput out, ChangeEvent e) throws IOException {
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

    public static ChangeEvent read(DataInput in) throws IOException {
        int v = in.readUnsignedByte();
        if (v != VERSION) {
            throw new IOException("spool record format version " + v + " is not known to this Tideway (knows " + VERSION + ")");
        }
        ChangeEvent.Op op = OPS[in.readUnsignedByte()];
        String position = in.readUTF();
        long millis = in.readLong();
        String schema = readNullable(in);
        String table = readNullable(in);
        int n = in.readUnsignedShort();
        List<String> cols = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            cols.add(readString(in));
        }
        Object[] before = readRow(in);
        Object[] after = readRow(in);
        String ddl = readNullable(in);
        return new ChangeEvent(op, schema == null ? null : new TableId(schema, table), cols, before, after, ddl, millis, position);
    }

    private static void writeRow(DataOutput out, Object[] row) throws IOException {
        if (row == null) {
            out.writeShort(-1);
            return;
        }
        out.writeShort(row.length);
        for (Object v : row) {
            writeValue(out, v);
        }
    }

    private static Object[] readRow(DataInput in) throws IOException {
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

    static void writeValue(DataOutput out, Object v) throws IOException {
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

    static Object readValue(DataInput in) throws IOException {
        int tag = in.readUnsignedByte();
        return switch (tag) {
            case 0 -> null;
            case 1 -> in.readLong();
            case 2 -> new BigInteger(readString(in));
            case 3 -> new BigDecimal(readString(in));
            case 4 -> readString(in);
            case 5 -> {
                byte[] b = new byte[in.readInt()];
                in.readFully(b);
                yield b;
            }
            case 6 -> in.readBoolean();
            case 7 -> in.readFloat();
            case 8 -> in.readDouble();
            default -> throw new IOException("unknown value tag " + tag + " in the spool");
        };
    }

    /** Strings of any length (writeUTF stops at 64 KB), as UTF-8. */
    static void writeString(DataOutput out, String s) throws IOException {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    static String readString(DataInput in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void writeNullable(DataOutput out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            writeString(out, s);
        }
    }

    private static String readNullable(DataInput in) throws IOException {
        return in.readBoolean() ? readString(in) : null;
    }
}
