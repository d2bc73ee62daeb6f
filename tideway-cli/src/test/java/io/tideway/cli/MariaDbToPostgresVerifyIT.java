package io.tideway.cli;

import io.tideway.core.model.DataSourceType;
import io.tideway.test.EmbeddedServers;
import java.sql.Connection;
import java.sql.SQLException;

/** Across families: rows are streamed from both sides and compared in canonical form. */
class MariaDbToPostgresVerifyIT extends AbstractVerifyIT {
    @Override DataSourceType destination() { return DataSourceType.fromId("postgresql"); }
    @Override String freshDestination() { return EmbeddedServers.freshDatabase(EmbeddedServers.postgres(), getClass(), "dst"); }
    @Override Connection connectDestination() throws SQLException { return EmbeddedServers.postgres().connect(dstDb); }
    @Override String q(String table) { return "\"" + srcDb + "\".\"" + table + "\""; }

    @Override
    String changeEveryTypeOfRow4() {
        return "UPDATE " + q("all_types") + " SET b = 0, i8 = 8, u8 = 201, i16 = -3, u16 = 40001, i24 = 2, u24 = 9000001, i32 = -6,"
                + " u32 = 3000000001, i64 = 1234567890124, u64 = 9223372036854775809, d65 = 0.000000000000000000000000000002,"
                + " d10 = 1, f = 1.5, dbl = 2.5, bit1 = B'0', bit64 = B'" + "0".repeat(60) + "1011', ch = 'y',"
                + " vc = ' leading and trailing spaces ', tx = 'null', mtx = 'N', bin = '\\x02000000', vbin = '\\x0000',"
                + " bl = '\\x5c4f', dt = '2024-03-01', tm = '00:00:00.000002', dtm = dtm + interval '1 microsecond',"
                + " ts = ts + interval '1 microsecond', yr = 2001, js = '\"just a strinG\"', en = 'a', st = 'x,y',"
                + " uu = '123e4567-e89b-12d3-a456-426614174001' WHERE id = 4";
    }
}
