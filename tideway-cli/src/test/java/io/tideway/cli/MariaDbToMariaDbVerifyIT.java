package io.tideway.cli;

import io.tideway.core.model.DataSourceType;
import io.tideway.test.EmbeddedServers;
import java.sql.Connection;
import java.sql.SQLException;

/** Same family: chunks are first compared by checksums each server computes. */
class MariaDbToMariaDbVerifyIT extends AbstractVerifyIT {
    @Override DataSourceType destination() { return DataSourceType.fromId("mariadb"); }
    @Override String freshDestination() { return EmbeddedServers.freshDatabase(EmbeddedServers.mariadb(), getClass(), "dst"); }
    @Override Connection connectDestination() throws SQLException { return EmbeddedServers.mariadb().connect(dstDb); }
    @Override String q(String table) { return "`" + dstDb + "`.`" + table + "`"; }

    @Override
    String changeEveryTypeOfRow4() {
        return "UPDATE " + q("all_types") + " SET b = 0, i8 = 8, u8 = 201, i16 = -3, u16 = 40001, i24 = 2, u24 = 9000001, i32 = -6,"
                + " u32 = 3000000001, i64 = 1234567890124, u64 = 9223372036854775809, d65 = 0.000000000000000000000000000002,"
                + " d10 = 1, f = 1.5, dbl = 2.5, bit1 = b'0', bit64 = b'1011', ch = 'y', vc = ' leading and trailing spaces ',"
                + " tx = 'null', mtx = 'N', bin = x'02', vbin = x'0000', bl = x'5C4F', dt = '2024-03-01', tm = '00:00:00.000002',"
                + " dtm = dtm + INTERVAL 1 MICROSECOND, ts = ts + INTERVAL 1 MICROSECOND, yr = 2001, js = '\"just a strinG\"',"
                + " en = 'a', st = 'x,y', uu = '123e4567-e89b-12d3-a456-426614174001' WHERE id = 4";
    }
}
