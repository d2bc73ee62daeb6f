package io.tideway.core.spi;

import io.tideway.core.change.DdlStatement;
import io.tideway.core.model.DataSourceConfig;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.model.TableId;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Everything Tideway knows about one family of databases. The engine never writes SQL for a
 * database itself; it asks the dialect. Each database plugin provides its own ({@link DatabasePlugin#dialect()}).
 *
 * <p>The dialect itself is what is the database: its connections, its quoting and a few
 * questions about its nature; everything else it returns as parts, each implemented by a class of
 * its own in the database's module: {@link #catalog()}, {@link #schema()}, {@link #rows()},
 * {@link #writer()}, {@link #verify()}, {@link #scripts()}, {@link #errors()}, {@link #prechecks()}.
 *
 * <p>Values cross these interfaces in canonical form ({@link io.tideway.core.model.ColumnType.Kind}).
 */
public interface Dialect extends Quoting {

    /**
     * This dialect as one end of a project whose other end is of family {@code peer}. Between
     * databases of the same family a dialect may read values in its own text form where the
     * canonical form of their kind cannot hold them (PostgreSQL: numeric NaN and Infinity,
     * intervals with months, array lower bounds), and writes such values back verbatim; across
     * families values stay canonical. By default the dialect itself.
     */
    default Dialect withPeer(DataSourceType.Family peer) {
        return this;
    }

    // ---------------------------------------------------------------- connections

    /**
     * Opens a connection ready for Tideway's work: session time zone UTC, UTF-8 (utf8mb4), auto-commit on.
     * Failures are {@link io.tideway.core.model.TidewayException}s: UNREACHABLE naming host:port,
     * LOGIN_FAILED naming the user, CONFIG_INVALID for an unknown database.
     */
    Connection connect(DataSourceConfig cfg);

    /** The server's version string as it reports it. */
    String serverVersion(Connection c) throws SQLException;

    // ---------------------------------------------------------------- the parts

    /** Schemas and table definitions. */
    Catalog catalog();

    /** DDL statements. */
    SchemaWriter schema();

    /** Reading rows. */
    RowReader rows();

    /** Writing rows (full copy and sink). */
    RowWriter writer();

    /** Server-side checksums and row-filter checks for verification. */
    VerifyHashing verify();

    /** SQL scripts of literal statements (verification's corrections). */
    CorrectionScripts scripts();

    /** Classification of failures. */
    ErrorClassifier errors();

    /** Checks of one end before a run. */
    PrecheckItems prechecks();

    // ---------------------------------------------------------------- questions the engine asks instead of testing a family

    /**
     * What a DDL statement of this database's change log, as the log carries it, says about tables,
     * columns and indexes in {@code schema} (the schema of unqualified names); {@link io.tideway.core.change.DdlStatement#NONE}
     * where the log carries no DDL (the default) or the statement is null.
     */
    default DdlStatement parseDdl(String ddl, String schema) {
        return DdlStatement.NONE;
    }

    /** Whether this database's change log carries DDL statements (the MySQL family's does; PostgreSQL's does not). */
    default boolean logCarriesDdl() {
        return false;
    }

    /** Whether this database stores MySQL's zero dates ('0000-00-00'): they may come from it, and be kept in it. */
    default boolean storesZeroDates() {
        return false;
    }

    /** What this database calls the namespace of tables, for messages: "schema" (the default), "database" in the MySQL family. */
    default String schemaNoun() {
        return "schema";
    }

    /**
     * The schema a source table {@code source} lands in on this database, as the destination
     * {@code destination}, when the project renames none: by default the source table's own schema;
     * in the MySQL family, where a database is a schema, the configured database.
     */
    default String destinationSchema(DataSourceConfig destination, TableId source) {
        return source.schema();
    }
}
