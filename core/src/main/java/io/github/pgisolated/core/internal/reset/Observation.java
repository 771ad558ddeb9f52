package io.github.pgisolated.core.internal.reset;

/**
 * What one probe of a clone saw: PostgreSQL's own cumulative statistics and a few catalog rows,
 * compared with the {@link Baseline} taken when the clone was last in the template's state.
 *
 * @param otherChanges rows inserted, updated and deleted since the database was created in every
 *     relation of the database but the template's tables (the database's total less theirs): its
 *     system catalogs and their TOAST tables, temporary tables, tables a test created. Any DDL,
 *     temporary object, large object, TRUNCATE or ANALYZE moves it; plain DML on the template's
 *     tables and {@code nextval} do not
 * @param tableChanges per table and materialized view of the snapshot (in {@link
 *     ChangeProbe#counted()} order), rows inserted, updated and deleted since the database was
 *     created, its TOAST table's included, aborted transactions included
 * @param sequences per sequence of the snapshot, {@code last_value}, or null when no value was
 *     handed out yet ({@code is_called} false)
 * @param trust what the statistics are only comparable under: the database's statistics reset
 *     time and the server's start time; a change means the counters can't be compared
 * @param database the database's own row and settings in the shared catalogs ({@code ALTER
 *     DATABASE}, per-role settings, its comment), and its prepared transactions and replication
 *     slots where the server allows them
 */
record Observation(long otherChanges, long[] tableChanges, Long[] sequences, String trust, String database) {}
