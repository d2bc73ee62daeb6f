package io.tideway.core.change;

import io.tideway.core.model.TableId;
import java.util.List;
import java.util.Set;

/**
 * What a DDL statement of a source's change log says about tables, columns and indexes, where the
 * catalog alone cannot tell (which table a renamed one was, which column a statement changed in
 * place), as the source's dialect reads it ({@link io.tideway.core.spi.Dialect#parseDdl}). Only what
 * the Connector needs; anything else reads as nothing ({@link #NONE}).
 *
 * @param columnsChanged the columns the statement changes in place (MODIFY c, CHANGE old new: both)
 * @param indexesDropped the indexes it drops by name
 * @param renames        the tables it renames, in order
 * @param createsTable   CREATE [OR REPLACE] TABLE
 * @param replacesTable  CREATE OR REPLACE TABLE: a table that may have existed is dropped first
 * @param dropsTable     DROP TABLE[S]
 */
public record DdlStatement(Set<String> columnsChanged, Set<String> indexesDropped, List<Rename> renames,
                           boolean createsTable, boolean replacesTable, boolean dropsTable) {
    /** A statement that says nothing the Connector needs (and what a log without DDL gives). */
    public static final DdlStatement NONE = new DdlStatement(Set.of(), Set.of(), List.of(), false, false, false);

    public DdlStatement {
        renames = List.copyOf(renames);
    }

    /** A table the statement renames: {@code from} is called {@code to} after it. */
    public record Rename(TableId from, TableId to) {
        @Override
        public String toString() {
            return from + " -> " + to;
        }
    }
}
