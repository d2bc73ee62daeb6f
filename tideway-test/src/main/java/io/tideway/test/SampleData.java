package io.tideway.test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Generates sample databases inside the servers themselves (MariaDB's sequence engine,
 * PostgreSQL's generate_series), so large tables cost no client round trips.
 *
 * <p>The "shop" set has the shapes a migration meets: an auto-increment key with a unique email,
 * a CHAR key, a BIGINT UNSIGNED key, a composite key, a secondary index, a table without any key,
 * and columns of most types (emoji text, decimals, doubles, JSON, ENUM, SET, BLOB, fractional
 * DATETIME and TIMESTAMP, NULLs).
 */
public final class SampleData {
    private SampleData() { }

    /** Creates the shop tables in the current MariaDB database with about {@code scale} orders. */
    public static void mariadbShop(Connection c, int scale) throws SQLException {
        int customers = Math.max(10, scale / 5);
        int products = Math.max(10, Math.min(2000, scale / 50));
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(120) NOT NULL,"
                    + " name VARCHAR(100) CHARACTER SET utf8mb4, created_at DATETIME(6) NOT NULL, balance DECIMAL(12,2),"
                    + " active TINYINT(1) NOT NULL DEFAULT 1, last_login TIMESTAMP(3) NULL, UNIQUE KEY uk_email (email))"
                    + " COMMENT 'people who buy'");
            s.execute("INSERT INTO customers (id, email, name, created_at, balance, active, last_login) SELECT seq,"
                    + " CONCAT('user', seq, '@example.com'), CONCAT(ELT(1 + seq % 4, 'Zoë', 'Łukasz', '李雷', 'Ana 🚀'), ' #', seq),"
                    + " TIMESTAMP('2020-01-01') + INTERVAL seq * 37 SECOND + INTERVAL seq % 1000000 MICROSECOND,"
                    + " IF(seq % 17 = 0, NULL, (seq * 7919 % 1000000) / 100), seq % 3 <> 0,"
                    + " IF(seq % 5 = 0, NULL, TIMESTAMP('2024-06-01 12:00:00.123') + INTERVAL seq SECOND)"
                    + " FROM seq_1_to_" + customers);
            s.execute("CREATE TABLE products (sku CHAR(12) NOT NULL PRIMARY KEY, title VARCHAR(200) NOT NULL,"
                    + " price DECIMAL(10,2) NOT NULL, weight DOUBLE, kind ENUM('book','toy','food') NOT NULL,"
                    + " tags SET('new','sale','eco'), attrs JSON, image BLOB)");
            s.execute("INSERT INTO products SELECT CONCAT('SKU-', LPAD(seq, 8, '0')), CONCAT('Product \"', seq, '\" \\\\ tab\tend'),"
                    + " (seq % 5000) / 100 + 0.99, IF(seq % 9 = 0, NULL, seq / 3.0e0), ELT(1 + seq % 3, 'book', 'toy', 'food'),"
                    + " ELT(1 + seq % 4, '', 'new', 'new,sale', 'sale,eco'), JSON_OBJECT('n', seq, 'color', ELT(1 + seq % 2, 'red', 'blue')),"
                    + " IF(seq % 4 = 0, NULL, UNHEX(CONCAT('00FF', HEX(seq), '0A0D5C09')))"
                    + " FROM seq_1_to_" + products);
            s.execute("CREATE TABLE orders (id BIGINT UNSIGNED NOT NULL PRIMARY KEY, customer_id INT NOT NULL,"
                    + " ordered_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), status ENUM('new','paid','shipped','cancelled') NOT NULL,"
                    + " total DECIMAL(14,2) NOT NULL, note TEXT, KEY ix_customer (customer_id))");
            // keys up to BIGINT UNSIGNED's maximum, 18446744073709551615
            s.execute("INSERT INTO orders SELECT 18446744073709551615 - (" + scale + " - seq) * 3, 1 + seq % " + customers + ","
                    + " TIMESTAMP('2023-01-01') + INTERVAL seq * 11 SECOND + INTERVAL seq % 999999 MICROSECOND,"
                    + " ELT(1 + seq % 4, 'new', 'paid', 'shipped', 'cancelled'), (seq % 100000) / 10,"
                    + " IF(seq % 3 = 0, NULL, REPEAT(CONCAT('note ', seq, ' '), 1 + seq % 5)) FROM seq_1_to_" + scale);
            s.execute("CREATE TABLE order_lines (order_id BIGINT UNSIGNED NOT NULL, line_no SMALLINT NOT NULL,"
                    + " sku CHAR(12) NOT NULL, qty INT NOT NULL, PRIMARY KEY (order_id, line_no))");
            s.execute("INSERT INTO order_lines SELECT o.id, l.seq, CONCAT('SKU-', LPAD(1 + (o.id % 100000 + l.seq) % " + products + ", 8, '0')),"
                    + " 1 + ((o.id % 1000) * l.seq) % 7 FROM orders o JOIN seq_1_to_3 l ON l.seq <= 1 + o.id % 3");
            s.execute("CREATE TABLE audit_log (at DATETIME NOT NULL, actor VARCHAR(40), message VARCHAR(200))");
            s.execute("INSERT INTO audit_log SELECT TIMESTAMP('2024-01-01') + INTERVAL seq MINUTE, IF(seq % 7 = 0, NULL, 'system'),"
                    + " CONCAT('event ', seq) FROM seq_1_to_" + Math.max(10, scale / 20));
            s.execute("ANALYZE TABLE customers, products, orders, order_lines, audit_log");
        }
    }

    /** Creates the same shop shape in the current PostgreSQL database, schema public. */
    public static void postgresShop(Connection c, int scale) throws SQLException {
        int customers = Math.max(10, scale / 5);
        int products = Math.max(10, Math.min(2000, scale / 50));
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TYPE order_status AS ENUM ('new','paid','shipped','cancelled')");
            s.execute("CREATE TABLE customers (id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, email varchar(120) NOT NULL UNIQUE,"
                    + " name varchar(100), created_at timestamp(6) NOT NULL, balance numeric(12,2), active boolean NOT NULL DEFAULT true,"
                    + " last_login timestamptz(3))");
            s.execute("INSERT INTO customers (id, email, name, created_at, balance, active, last_login) SELECT g,"
                    + " 'user' || g || '@example.com', (ARRAY['Zoë','Łukasz','李雷','Ana 🚀'])[1 + g % 4] || ' #' || g,"
                    + " timestamp '2020-01-01' + g * interval '37 seconds' + (g % 1000000) * interval '1 microsecond',"
                    + " CASE WHEN g % 17 = 0 THEN NULL ELSE (g * 7919 % 1000000) / 100.0 END, g % 3 <> 0,"
                    + " CASE WHEN g % 5 = 0 THEN NULL ELSE timestamptz '2024-06-01 12:00:00.123+00' + g * interval '1 second' END"
                    + " FROM generate_series(1, " + customers + ") g");
            s.execute("CREATE TABLE products (sku char(12) PRIMARY KEY, title varchar(200) NOT NULL, price numeric(10,2) NOT NULL,"
                    + " weight double precision, tags text[], attrs jsonb, image bytea, id uuid NOT NULL)");
            s.execute("INSERT INTO products SELECT 'SKU-' || lpad(g::text, 8, '0'), 'Product \"' || g || '\" \\ tab' || chr(9) || 'end',"
                    + " (g % 5000) / 100.0 + 0.99, CASE WHEN g % 9 = 0 THEN NULL ELSE g / 3.0::float8 END,"
                    + " CASE WHEN g % 4 = 0 THEN NULL ELSE ARRAY['new', NULL, 'say \"hi\"'] END, jsonb_build_object('n', g),"
                    + " CASE WHEN g % 4 = 0 THEN NULL ELSE decode('00ff' || lpad(to_hex(g), 8, '0') || '0a0d5c09', 'hex') END,"
                    + " md5(g::text)::uuid FROM generate_series(1, " + products + ") g");
            s.execute("CREATE TABLE orders (id bigint PRIMARY KEY, customer_id integer NOT NULL, ordered_at timestamptz(6) NOT NULL DEFAULT now(),"
                    + " status order_status NOT NULL, total numeric(14,2) NOT NULL, note text, ship_window time(3))");
            s.execute("CREATE INDEX ix_customer ON orders (customer_id)");
            s.execute("INSERT INTO orders SELECT g * 3, 1 + g % " + customers + ", timestamptz '2023-01-01 00:00:00+00' + g * interval '11 seconds'"
                    + " + (g % 999999) * interval '1 microsecond', (ARRAY['new','paid','shipped','cancelled'])[1 + g % 4]::order_status,"
                    + " (g % 100000) / 10.0, CASE WHEN g % 3 = 0 THEN NULL ELSE repeat('note ' || g || ' ', 1 + g % 5) END,"
                    + " time '08:00' + (g % 600) * interval '1 minute' FROM generate_series(1, " + scale + ") g");
            s.execute("CREATE TABLE order_lines (order_id bigint NOT NULL, line_no smallint NOT NULL, sku char(12) NOT NULL, qty integer NOT NULL,"
                    + " PRIMARY KEY (order_id, line_no))");
            s.execute("INSERT INTO order_lines SELECT o.id, l, 'SKU-' || lpad((1 + (o.id + l) % " + products + ")::text, 8, '0'), 1 + (o.id * l) % 7"
                    + " FROM orders o, generate_series(1, 3) l WHERE l <= 1 + o.id % 3");
            s.execute("CREATE TABLE audit_log (at timestamp NOT NULL, actor varchar(40), message varchar(200))");
            s.execute("INSERT INTO audit_log SELECT timestamp '2024-01-01' + g * interval '1 minute', CASE WHEN g % 7 = 0 THEN NULL ELSE 'system' END,"
                    + " 'event ' || g FROM generate_series(1, " + Math.max(10, scale / 20) + ") g");
            s.execute("ANALYZE");
        }
    }

    /** A sysbench-style table {@code sbtest1(id INT PRIMARY KEY, k INT, c CHAR(120), pad CHAR(60))} with an index on k (MariaDB). */
    public static void mariadbSysbench(Connection c, int rows) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE sbtest1 (id INT NOT NULL PRIMARY KEY, k INT NOT NULL DEFAULT 0, c CHAR(120) NOT NULL DEFAULT '',"
                    + " pad CHAR(60) NOT NULL DEFAULT '', KEY k_1 (k))");
            String group = "LPAD(FLOOR(RAND(seq) * 99999999999), 11, '0')";
            StringBuilder c10 = new StringBuilder("CONCAT_WS('-'");
            for (int i = 0; i < 10; i++) {
                c10.append(", ").append(group.replace("seq)", "seq * 10 + " + i + ")"));
            }
            c10.append(")");
            StringBuilder p5 = new StringBuilder("CONCAT_WS('-'");
            for (int i = 0; i < 5; i++) {
                p5.append(", ").append(group.replace("seq)", "seq * 7 + " + i + ")"));
            }
            p5.append(")");
            for (int from = 1; from <= rows; from += 500_000) {
                int to = Math.min(rows, from + 499_999);
                s.execute("INSERT INTO sbtest1 SELECT seq, 1 + FLOOR(RAND(seq) * " + rows + "), " + c10 + ", " + p5
                        + " FROM seq_" + from + "_to_" + to);
            }
            s.execute("ANALYZE TABLE sbtest1");
        }
    }

    /** The sysbench-style table in PostgreSQL (schema public). */
    public static void postgresSysbench(Connection c, int rows) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE sbtest1 (id integer NOT NULL PRIMARY KEY, k integer NOT NULL DEFAULT 0,"
                    + " c char(120) NOT NULL DEFAULT '', pad char(60) NOT NULL DEFAULT '')");
            s.execute("CREATE INDEX k_1 ON sbtest1 (k)");
            s.execute("INSERT INTO sbtest1 SELECT g, 1 + (g * 7919) % " + rows + ", rpad(md5(g::text), 119, '-0123456789'),"
                    + " rpad(md5((g * 7)::text), 59, '-0123456789') FROM generate_series(1, " + rows + ") g");
            s.execute("ANALYZE sbtest1");
        }
    }
}
