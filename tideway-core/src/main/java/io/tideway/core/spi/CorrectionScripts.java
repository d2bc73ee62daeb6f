package io.tideway.core.spi;

import io.tideway.core.model.Column;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.Table;
import io.tideway.core.model.TidewayException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * SQL scripts a DBA reads and applies (verification's corrections): literal values, one statement
 * per row, and the lines around them ({@link Dialect#scripts()}).
 */
public interface CorrectionScripts extends Quoting {

    /**
     * A canonical value of {@code column} as a SQL literal of this database, exact and on one line:
     * strings escaped, bytes in hex, decimals in full, TIMESTAMP values in UTC (see
     * {@link #sqlScriptHeader()}), NULL for null. For files a DBA reads and applies; Tideway itself
     * sends values as parameters.
     */
    String literal(Column column, Object value);

    /**
     * One statement, with literal values, that writes {@code row} (values in {@code t}'s column
     * order): an upsert by row key, or a plain INSERT when the table has no row key. No trailing ';'.
     */
    String writeRowSql(Table t, Object[] row);

    /**
     * One statement, with literal values, that sets the columns of {@code t} other than its row key
     * to the values of {@code row} in the row with that key (an UPDATE; other columns untouched).
     * No trailing ';'.
     */
    default String updateRowSql(Table t, Object[] row) {
        List<Column> cols = t.columns();
        Set<String> key = new HashSet<>(t.rowKey());
        StringBuilder set = new StringBuilder();
        StringBuilder where = new StringBuilder();
        for (int i = 0; i < cols.size(); i++) {
            String assign = quote(cols.get(i).name()) + " = " + literal(cols.get(i), row[i]);
            if (key.contains(cols.get(i).name())) {
                where.append(where.length() == 0 ? "" : " AND ").append(assign);
            } else {
                set.append(set.length() == 0 ? "" : ", ").append(assign);
            }
        }
        if (set.length() == 0 || where.length() == 0) {
            throw new TidewayException(ErrorCode.INTERNAL, "table " + t.id()
                    + ": an update needs a row key and other columns");
        }
        return "UPDATE " + quote(t.id()) + " SET " + set + " WHERE " + where;
    }

    /**
     * One statement, with literal values, that deletes the row whose row key is {@code values} (in
     * row-key column order), or, for a table without a row key, one row equal to {@code values}
     * (every column, NULL equal to NULL). No trailing ';'.
     */
    String deleteRowSql(Table t, Object[] values);

    /**
     * The lines that start a SQL script of {@link #writeRowSql} and {@link #deleteRowSql} statements:
     * the session settings the literals assume (UTF-8, time zone UTC) and the start of one
     * transaction. Each statement on its own line, ending with ';'.
     */
    List<String> sqlScriptHeader();

    /** The lines that end such a script (the commit). */
    List<String> sqlScriptFooter();
}
