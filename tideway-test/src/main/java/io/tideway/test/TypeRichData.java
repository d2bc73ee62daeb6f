package io.tideway.test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Tables holding every type Tideway maps, at the ends of each type's range: minimums, maximums,
 * all NULLs, and awkward values (4-byte UTF-8, 0x00 bytes, quotes, tabs and backslashes,
 * microseconds, subnormal-adjacent floats). Used by the end-to-end tests of every pair.
 */
public final class TypeRichData {
    private TypeRichData() { }

    /** MariaDB: table {@code all_types} (4 rows) in the current database. */
    public static void mariadb(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SET SESSION sql_mode = 'STRICT_ALL_TABLES'");
            s.execute("CREATE TABLE all_types (id INT NOT NULL PRIMARY KEY,"
                    + " b TINYINT(1), i8 TINYINT, u8 TINYINT UNSIGNED, i16 SMALLINT, u16 SMALLINT UNSIGNED,"
                    + " i24 MEDIUMINT, u24 MEDIUMINT UNSIGNED, i32 INT, u32 INT UNSIGNED, i64 BIGINT, u64 BIGINT UNSIGNED,"
                    + " d65 DECIMAL(65,30), d10 DECIMAL(10,0), f FLOAT, dbl DOUBLE, bit1 BIT(1), bit64 BIT(64),"
                    + " ch CHAR(10), vc VARCHAR(300), tx TEXT, mtx MEDIUMTEXT, bin BINARY(4), vbin VARBINARY(100), bl BLOB,"
                    + " dt DATE, tm TIME(6), dtm DATETIME(6), ts TIMESTAMP(6) NULL DEFAULT NULL, yr YEAR, js JSON,"
                    + " en ENUM('a','b c','d''e'), st SET('x','y','z'), uu UUID) COMMENT 'every type'");
            s.execute("INSERT INTO all_types VALUES (1, 0, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0,"
                    + " -9223372036854775808, 0, -99999999999999999999999999999999999.999999999999999999999999999999, -9999999999,"
                    + " -3.40282e38, -1.7976931348623157e308, b'0', b'0', '', '', '', '', x'00000000', x'', x'',"
                    + " '1000-01-01', '-838:59:59.000000', '1000-01-01 00:00:00.000000', '1970-01-01 00:00:01.000000', 1901, '[]',"
                    + " 'a', '', '00000000-0000-0000-0000-000000000000')");
            s.execute("INSERT INTO all_types VALUES (2, 1, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295,"
                    + " 9223372036854775807, 18446744073709551615, 99999999999999999999999999999999999.999999999999999999999999999999,"
                    + " 9999999999, 3.40282e38, 1.7976931348623157e308, b'1', x'FFFFFFFFFFFFFFFF', 'abc', "
                    + " 'emoji 😀𝄞 ü tab\\there nl\\nthere bs\\\\ \"dq\" ''sq'' `bt`', REPEAT('long text ✓ ', 2000), 'mediumtext',"
                    + " x'00FF0010', x'000102FF7F80', x'00000000FF00', '9999-12-31', '838:59:59.000000', '9999-12-31 23:59:59.999999',"
                    + " '2038-01-19 03:14:07.999999', 2155, '{\"a\": [1, 2.5, {\"b\": null}], \"u\": \"ü😀\", \"t\": true}',"
                    + " 'd''e', 'x,y,z', 'ffffffff-ffff-ffff-ffff-ffffffffffff')");
            s.execute("INSERT INTO all_types (id) VALUES (3)");
            s.execute("INSERT INTO all_types VALUES (4, 7, 7, 200, -2, 40000, 1, 9000000, -5, 3000000000, 1234567890123,"
                    + " 9223372036854775808, 0.000000000000000000000000000001, 0, 1.17549e-38, 2.2250738585072014e-308, b'1',"
                    + " b'1010', 'x', ' leading and trailing spaces  ', 'NULL', '\\\\N', x'01', x'00', x'5C4E',"
                    + " '2024-02-29', '00:00:00.000001', '2024-02-29 23:59:59.000001', '2024-06-30 12:34:56.123456', 2000,"
                    + " '\"just a string\"', 'b c', 'y', '123e4567-e89b-12d3-a456-426614174000')");
        }
    }

    /** PostgreSQL: type {@code mood} and table {@code all_types} (4 rows) in schema public. */
    public static void postgres(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy 😀', 'it''s')");
            s.execute("CREATE TABLE all_types (id integer PRIMARY KEY, b boolean, i16 smallint, i32 integer, i64 bigint,"
                    + " n numeric(65,30), n2 numeric(20,4), r real, d double precision, bt bit(8), ch char(10), vc varchar(300),"
                    + " tx text, by bytea, dt date, tm time(6), iv interval, ts timestamp(6), tz timestamptz(6), js json, jb jsonb,"
                    + " uu uuid, mo mood, arr integer[], tarr text[])");
            s.execute("COMMENT ON TABLE all_types IS 'every type'");
            s.execute("INSERT INTO all_types VALUES (1, false, -32768, -2147483648, -9223372036854775808,"
                    + " -99999999999999999999999999999999999.999999999999999999999999999999, -9999999999999999.9999,"
                    + " -3.4028235e38, -1.7976931348623157e308, B'00000000', '', '', '', '\\x', '1000-01-01', '00:00:00',"
                    + " '-838:59:59', '1000-01-01 00:00:00', '1970-01-01 00:00:01+00', '[]', '[]',"
                    + " '00000000-0000-0000-0000-000000000000', 'sad', '{}', '{}')");
            s.execute("INSERT INTO all_types VALUES (2, true, 32767, 2147483647, 9223372036854775807,"
                    + " 99999999999999999999999999999999999.999999999999999999999999999999, 9999999999999999.9999,"
                    + " 3.4028235e38, 1.7976931348623157e308, B'11111111', 'abc', "
                    + " E'emoji 😀𝄞 ü tab\\there nl\\nthere bs\\\\ \"dq\" ''sq'' `bt`', repeat('long text ✓ ', 2000),"
                    + " '\\x00ff0010', '9999-12-31', '23:59:59.999999', '838:59:59', '9999-12-31 23:59:59.999999',"
                    + " '9999-12-31 23:59:59.999999+00', '{\"a\": [1, 2.5, {\"b\": null}], \"u\": \"ü😀\"}',"
                    + " '{\"a\": [1, 2.5, {\"b\": null}], \"u\": \"ü😀\", \"t\": true}', 'ffffffff-ffff-ffff-ffff-ffffffffffff',"
                    + " 'happy 😀', '{1,NULL,-3}', ARRAY['a', NULL, 'say \"hi\"', 'back\\slash', 'it''s'])");
            s.execute("INSERT INTO all_types (id) VALUES (3)");
            s.execute("INSERT INTO all_types VALUES (4, true, 7, -5, 1234567890123, 0.000000000000000000000000000001, 0.0001,"
                    + " 1.17549435e-38, 2.2250738585072014e-308, B'10100000', 'x', ' leading and trailing spaces  ', 'NULL',"
                    + " '\\x5c4e', '2024-02-29', '12:34:56.000001', '00:00:00.000001', '2024-02-29 23:59:59.000001',"
                    + " '2024-06-30 14:34:56.123456+02', '\"just a string\"', '{\"k\": \"v\"}',"
                    + " '123e4567-e89b-12d3-a456-426614174000', 'it''s', '{42}', '{\"\"}')");
        }
    }

    /** Odd identifiers: spaces, quotes, backticks, reserved words and mixed case (MariaDB). */
    public static void mariadbOddNames(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE `Select Me \"q\" ``b``` (`Order` INT NOT NULL PRIMARY KEY, `from` VARCHAR(20),"
                    + " `Mixed Case ``col`` \"x\"` INT, `group` INT, KEY `idx with space` (`group`))");
            s.execute("INSERT INTO `Select Me \"q\" ``b``` VALUES (1, 'a', 10, 100), (2, NULL, NULL, 200), (3, 'c''d', -1, 300)");
        }
    }

    /** Odd identifiers (PostgreSQL, schema public). */
    public static void postgresOddNames(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE \"Select Me \"\"q\"\" `b`\" (\"Order\" integer PRIMARY KEY, \"from\" varchar(20),"
                    + " \"Mixed Case `col` \"\"x\"\"\" integer, \"group\" integer)");
            s.execute("CREATE INDEX \"idx with space\" ON \"Select Me \"\"q\"\" `b`\" (\"group\")");
            s.execute("INSERT INTO \"Select Me \"\"q\"\" `b`\" VALUES (1, 'a', 10, 100), (2, NULL, NULL, 200), (3, 'c''d', -1, 300)");
        }
    }
}
