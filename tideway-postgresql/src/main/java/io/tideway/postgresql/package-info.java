/**
 * The PostgreSQL plugin of Tideway (type {@code postgresql}), found through
 * {@link java.util.ServiceLoader} as the {@link io.tideway.core.spi.DatabasePlugin} {@link io.tideway.postgresql.PostgresPlugin}.
 *
 * <ul>
 *   <li>{@link io.tideway.postgresql.PostgresDialect}: the SPI, connections (session TimeZone UTC,
 *       DateStyle ISO, IntervalStyle sql_standard, extra_float_digits 3, UTF8), DDL, key-range reads,
 *       upserts and deletes;</li>
 *   <li>{@code PostgresCatalog}: tables, columns, keys, indexes, comments and estimates from pg_catalog;</li>
 *   <li>{@code PostgresTypes}: native type -> neutral kind and neutral kind -> DDL (the type-mapping table);</li>
 *   <li>{@code PostgresValues}: SELECT expressions, ResultSet -> canonical values, canonical -> text input
 *       form and untyped parameters, JSON array -> array literal;</li>
 *   <li>{@code PostgresCopyWriter}: {@code COPY ... FROM STDIN} in text format, encoded into one reusable buffer;</li>
 *   <li>{@code PostgresPrecheck}: version, privileges, wal_level, replication, time zone;</li>
 *   <li>{@code PostgresErrors}: SQLState -> {@link io.tideway.core.model.ErrorCode}.</li>
 * </ul>
 *
 * <p>Decisions worth knowing: numeric NaN/Infinity and intervals holding months fail with DATA_INVALID
 * naming the column (no canonical form holds them); date/timestamp 'infinity' travel as PostgreSQL's
 * text (PostgreSQL destinations accept it); char(n) is read without pad spaces; types with no neutral
 * equivalent (inet, money, varbit, timetz, ...) travel as text between PostgreSQL databases only;
 * expression, partial and non-btree indexes are listed by {@code unsupportedColumns} instead of being
 * dropped silently; {@code createIndexesSql} ends by moving identity sequences past the copied keys.
 */
package io.tideway.postgresql;
