package io.tideway.mysql.capture;

import io.tideway.core.change.CaptureSpec;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.Table;
import io.tideway.core.model.TableId;
import io.tideway.core.model.TidewayException;
import io.tideway.core.model.ZeroDates;
import io.tideway.core.spi.ReadOptions;
import io.tideway.core.spi.RowCursor;
import io.tideway.mysql.MySqlDialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives back the zero dates the binlog reader loses. It decodes a DATE or DATETIME whose month or
 * day is zero as "no value": NULL in a nullable column, and in a NOT NULL column the column's
 * default or the epoch, which a real value may equal too. Rows of a batch holding such a stand-in
 * are looked up by key, one query per table and up to {@value #KEYS_PER_QUERY} keys, and a value
 * the row now stores as a zero date replaces the stand-in. A later change of the row arrives after
 * this one, so the destination ends with the row's last value either way. Rows of tables without
 * a key cannot be looked up and keep the stand-in.
 */
final class ZeroDateLookup implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ZeroDateLookup.class);
    static final int KEYS_PER_QUERY = 500;
    static final int TIMEOUT_MILLIS = 30_000;

    /** A row image holding stand-ins: its table, column names, values and the indexes of the suspect values. */
    private record Suspect(TableId table, List<String> columns, Object[] row, int[] columnIndexes) { }

    private final CaptureSpec spec;
    private final MySqlDialect dialect = new MySqlDialect();
    private final List<Suspect> pending = new ArrayList<>();
    private final Map<TableId, Optional<Table>> tables = new HashMap<>();
    private final Set<TableId> toldKeyless = new java.util.HashSet<>();
    private Connection connection;
    private long lookedUp;
    private long found;

    ZeroDateLookup(CaptureSpec spec) {
        this.spec = spec;
    }

    /** Notes a row image whose values at {@code columnIndexes} may stand for zero dates. */
    void note(TableId table, List<String> columns, Object[] row, int[] columnIndexes) {
        pending.add(new Suspect(table, columns, row, columnIndexes));
    }

    /** The table changed on the source: its definition is read again when next needed. */
    void forget(TableId table) {
        if (table == null) {
            tables.clear();
        } else {
            tables.remove(table);
        }
    }

    /** Looks up every noted row and puts the zero dates it stores in place of the stand-ins. */
    void resolve() {
        if (pending.isEmpty()) {
            return;
        }
        Map<TableId, List<Suspect>> byTable = new LinkedHashMap<>();
        for (Suspect s : pending) {
            byTable.computeIfAbsent(s.table(), k -> new ArrayList<>()).add(s);
        }
        pending.clear();
        try {
            for (Map.Entry<TableId, List<Suspect>> e : byTable.entrySet()) {
                resolve(e.getKey(), e.getValue());
            }
        } catch (SQLException e) {
            close();
            throw new TidewayException(ErrorCode.TRANSIENT, "capture " + spec.name() + ": looking up the stored values of"
                    + " DATE/DATETIME columns that the binlog cannot tell from zero dates failed: " + e.getMessage(), e);
        }
    }

    private void resolve(TableId id, List<Suspect> suspects) throws SQLException {
        Table t = table(id);
        if (t == null || t.rowKey().isEmpty()) {
            if (toldKeyless.add(id)) {
                LOG.warn("capture {}: {} has no primary or unique key: a zero date in its DATE/DATETIME columns arrives as"
                        + " NULL (or, NOT NULL, as the column's default or 1970-01-01)", spec.name(), id);
            }
            return;
        }
        Set<String> names = new LinkedHashSet<>(t.rowKey());
        for (Suspect s : suspects) {
            for (int i : s.columnIndexes()) {
                if (t.column(s.columns().get(i)).isPresent()) {
                    names.add(s.columns().get(i));
                }
            }
        }
        Table narrow = t.withColumns(names.stream().map(n -> t.column(n).orElseThrow()).toList());
        Map<String, Object[]> stored = new HashMap<>();
        List<List<Object>> keys = new ArrayList<>();
        for (Suspect s : suspects) {
            List<Object> key = key(t.rowKey(), s);
            if (key != null) {
                keys.add(key);
            }
        }
        for (int from = 0; from < keys.size(); from += KEYS_PER_QUERY) {
            List<List<Object>> part = keys.subList(from, Math.min(keys.size(), from + KEYS_PER_QUERY));
            try (RowCursor cur = dialect.rows().openRowsByKeys(connection(), narrow, part, ReadOptions.DEFAULT)) {
                while (cur.next()) {
                    Object[] row = cur.row().clone();
                    List<Object> k = new ArrayList<>();
                    for (String n : t.rowKey()) {
                        k.add(row[narrow.columnIndex(n)]);
                    }
                    stored.put(text(k), row);
                }
            }
        }
        for (Suspect s : suspects) {
            List<Object> key = key(t.rowKey(), s);
            Object[] row = key == null ? null : stored.get(text(key));
            if (row == null) {
                continue;
            }
            for (int i : s.columnIndexes()) {
                int j = narrow.columnIndex(s.columns().get(i));
                lookedUp++;
                if (j >= 0 && row[j] instanceof String v && ZeroDates.isZero(v)) {
                    s.row()[i] = v;
                    found++;
                }
            }
        }
    }

    /** The row key's values of a suspect row image, or null when a key column is not in it. */
    private static List<Object> key(List<String> rowKey, Suspect s) {
        List<Object> out = new ArrayList<>(rowKey.size());
        for (String k : rowKey) {
            int i = s.columns().indexOf(k);
            if (i < 0) {
                return null;
            }
            out.add(s.row()[i]);
        }
        return out;
    }

    private static String text(List<Object> key) {
        StringBuilder sb = new StringBuilder();
        for (Object v : key) {
            sb.append(v instanceof byte[] b ? HexFormat.of().formatHex(b) : String.valueOf(v)).append('\u0001');
        }
        return sb.toString();
    }

    private Table table(TableId id) throws SQLException {
        Optional<Table> t = tables.get(id);
        if (t == null) {
            t = dialect.catalog().readTables(connection(), id.schema(), id::equals).stream().findFirst();
            tables.put(id, t);
        }
        return t.orElse(null);
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = dialect.connect(spec.source().withDatabase(null));
            connection.setNetworkTimeout(Runnable::run, TIMEOUT_MILLIS);
        }
        return connection;
    }

    /** Stand-in values looked up, and how many of them were zero dates. */
    long[] counts() {
        return new long[] {lookedUp, found};
    }

    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
            connection = null;
        }
    }
}
