package io.github.pgisolated.core.internal.reset;

/**
 * What one probe of a clone saw: PostgreSQL's own cumulative statistics and a few catalog rows,
 * compared with the {@link Baseline} taken when the clone was last in the template's state.
 *
 * @param otherChanges rows inserted, updated and deleted since the database was created in every
 *     relation of the database but the template's tables and the planner statistics (the
 *     database's total less those): its system catalogs and their TOAST tables, temporary tables,
 *     tables a test created. Any DDL, temporary object, large object or TRUNCATE moves it; plain
 *     DML on the template's tables and {@code nextval} do not
 * @param statisticsChanges the same for the planner statistics ({@code pg_statistic},
 *     {@code pg_statistic_ext_data}), which ANALYZE writes, and autovacuum's ANALYZE too
 * @param analyzes manual ANALYZEs of the template's tables so far (autovacuum's are not counted)
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
 * @param horizon the next transaction ID the server will assign (64-bit): rows written after the
 *     probe have an {@code xmin} from here on
 */
record Observation(long otherChanges, long statisticsChanges, long analyzes, long[] tableChanges, Long[] sequences,
    String trust, String database, long horizon) {}
