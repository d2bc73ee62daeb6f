package io.tideway.engine.incremental;

import io.tideway.core.change.ChangeEvent;
import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import io.tideway.core.spi.SinkPosition;
import io.tideway.engine.store.Spool;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A sink position of a Connector that reads the local spool: {@link SinkPosition#resumeFrom()} is
 * the spool address after the last change covered, as {@code SEGMENT:OFFSET} (two decimal numbers).
 */
final class SpoolPositions {
    private SpoolPositions() { }

    /** The position after the changes read up to {@code at}. */
    static SinkPosition position(Spool.Address at, String sourcePosition, long sourceMillis, long changes) {
        return new SinkPosition(at.segment() + ":" + at.offset(), sourcePosition, sourceMillis, changes);
    }

    /** The spool address a position resumes from. */
    static Spool.Address address(SinkPosition p) {
        String s = p.resumeFrom();
        int colon = s.indexOf(':');
        try {
            if (colon <= 0) {
                throw new NumberFormatException("no colon");
            }
            return new Spool.Address(Long.parseLong(s.substring(0, colon)), Long.parseLong(s.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new TidewayException(ErrorCode.INTERNAL, "the destination holds the position \"" + s + "\", which is not"
                    + " a spool address SEGMENT:OFFSET", e);
        }
    }

    /** Whether the change at {@code at} is a DDL and {@code after} the address right after it (skip-ddl moved past it). */
    static boolean skippedDdl(Path spoolDir, Spool.Address at, Spool.Address after) {
        try (Spool.Reader r = new Spool.Reader(spoolDir, at)) {
            ChangeEvent e = r.readOne();
            return e != null && e.op() == ChangeEvent.Op.DDL && r.address().equals(after);
        } catch (IOException e) {
            throw new TidewayException(ErrorCode.INTERNAL, "reading the spool at " + at + ": " + e.getMessage(), e);
        }
    }
}
