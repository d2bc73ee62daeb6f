/**
 * The change-capture plumbing every database plugin shares around the Debezium embedded engine:
 * starting and stopping it ({@link io.tideway.debezium.CaptureEngine}), its offsets kept in the
 * capture's state ({@link io.tideway.debezium.StateOffsetStore}, {@link io.tideway.debezium.CaptureStates}),
 * reads of saved offsets ({@link io.tideway.debezium.SavedOffsets}) and the connection watch
 * ({@link io.tideway.debezium.ConnectionWatch}). It holds no database's SQL: what a plugin asks its
 * server stays in the plugin.
 */
package io.tideway.debezium;
