package io.tideway.core.spi;

import io.tideway.core.change.ChangeBatch;
import java.util.Optional;

/**
 * Where a Connector applies changes: the destination holds the truth about what is applied.
 *
 * <p>A sink is one project direction's writer on one destination ({@code project/direction}),
 * holding an <em>epoch</em>: a number the MetaDB's run lease hands out, higher for every new run of
 * the project (another process, another node). Its contract:
 * <ol>
 *   <li>{@link #open()} claims the destination for this epoch and returns the position the
 *       destination holds; it refuses ({@link io.tideway.core.model.ErrorCode#SINK_FENCED}) when
 *       the destination holds a newer epoch.</li>
 *   <li>{@link #write} applies a batch and records the position it reaches in the same
 *       destination transaction(s), each of which first checks, atomically, that the destination's
 *       epoch is not newer than this writer's; a refused write changes nothing and throws
 *       {@code SINK_FENCED}; the Connector then stops.</li>
 *   <li>The position recorded never passes a change that is not committed. Writing a batch again
 *       from an older position converges (upserts and deletes by key; tables without a key keep
 *       their own positions), so a crash loses nothing and a replay is harmless.</li>
 * </ol>
 * The JDBC lanes are the first implementation; a Kafka producer (transactional, the position in
 * the same transaction as the records, the epoch its producer fencing) or a Kafka Connect sink task
 * (the position in the destination, its offsets reported from {@link #heldPosition()}) fit the same
 * calls.
 */
public interface Sink extends AutoCloseable {

    /** This writer's epoch. */
    long epoch();

    /**
     * Claims the destination for {@link #epoch()} (a newer writer fences this one from then on) and
     * returns the position it holds, empty when it holds none yet.
     */
    Optional<SinkPosition> open();

    /** The position the destination holds now, empty when it holds none. */
    Optional<SinkPosition> heldPosition();

    /** Applies {@code batch} (may be empty) and records {@code reached} with it. */
    void write(ChangeBatch batch, SinkPosition reached);

    @Override
    void close();
}
