package io.github.pgisolated.core.internal.reset;

import io.github.pgisolated.core.internal.reset.Relation.Kind;
import io.github.pgisolated.core.internal.reset.TemplateSnapshot.SequenceState;
import io.github.pgisolated.core.internal.reset.TemplateSnapshot.TableData;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Puts a clone a test gave back into its template's state in the same database, when the test
 * changed only rows and sequences, and says so when it can't.
 *
 * <p>How it knows what changed, with nothing added to the user's database: every session of the
 * clone flushes its statistics ({@code pg_stat_force_next_flush()}) and forgets its session state
 * ({@code DISCARD ALL}), then one {@link ChangeProbe} compares PostgreSQL's cumulative statistics
 * with the clone's {@link Baseline}:
 *
 * <ul>
 *   <li>the database's own catalogs moved (any DDL, a temporary object, a large object, TRUNCATE,
 *       ANALYZE), its rows in the shared catalogs changed ({@code ALTER DATABASE}, settings,
 *       prepared transactions), the statistics were reset or the server restarted, or a
 *       materialized view changed: {@link ResetOutcome.Kind#RECREATE}, with the reason;</li>
 *   <li>else the tables whose counters moved get the template's rows back ({@code DELETE} and
 *       {@code COPY … FROM STDIN (FORMAT binary)} of the {@link TemplateSnapshot}, with triggers
 *       and foreign-key checks off, in one transaction), and the sequences whose value differs
 *       from the template's are set back: {@link ResetOutcome.Kind#RESET};</li>
 *   <li>nothing moved: {@link ResetOutcome.Kind#UNCHANGED}.</li>
 * </ul>
 *
 * <p>Counters count aborted transactions too, so a test that inserted and rolled back still gets
 * its table restored. In verification mode every outcome but RECREATE is checked against the
 * snapshot: every table's rows, every sequence, the catalog fingerprint and the database's shared
 * rows; a difference throws {@link ResetVerificationException}.
 *
 * <p>Thread-safe: it holds only the immutable snapshot; each call works on the sessions it is given.
 */
public final class InPlaceReset {
  private final TemplateSnapshot snapshot;
  private final ChangeProbe probe;
  private final boolean verify;

  public InPlaceReset(TemplateSnapshot snapshot, boolean verify) {
    this.snapshot = snapshot;
    this.probe = new ChangeProbe(snapshot);
    this.verify = verify;
  }

  /**
   * The baseline of a clone this JVM just got, which is in the template's state. In verification
   * mode the clone's contents are checked first.
   */
  public Baseline baseline(Connection connection) throws SQLException {
    if (verify) {
      List<String> differences = SnapshotComparison.differences(connection, snapshot);
      if (!differences.isEmpty()) {
        throw new ResetVerificationException("A clone handed out by the coordinator is not in its template's state: "
            + String.join("; ", differences));
      }
    }
    long database = ChangeProbe.databaseOid(connection);
    return Baseline.of(database, probe.observe(connection, database));
  }

  /**
   * pgisolated's own session on a clone, opened only when rows must be put back: a clone whose
   * test changed its schema, or nothing, never needs one.
   */
  @FunctionalInterface
  public interface Resetter {
    Connection session() throws SQLException;
  }

  /**
   * Resets a clone a test gave back. What changed is read on one of the pool's sessions, which
   * is open and warm already; the rows are put back on the resetter's.
   *
   * @param sessions every open session of the clone's connection pool (at least one), none in
   *     use: their session state is forgotten and their statistics flushed. Sessions the test
   *     opened by other means must have ended.
   * @param resetter pgisolated's own session on the clone, which puts the rows back: never one of
   *     the pool's, because setting {@code session_replication_role} empties the session's plan
   *     cache, and the next test's sessions keep theirs
   * @param baseline the clone's baseline from when it was last in the template's state
   * @throws SQLException when the clone can't be read or written; the caller recreates it
   * @throws ResetVerificationException in verification mode, when the result differs from the template
   */
  public ResetOutcome reset(List<Connection> sessions, Resetter resetter, Baseline baseline) throws SQLException {
    for (Connection session : sessions) {
      forgetSessionState(session);
    }
    Connection connection = sessions.get(0);
    Observation now = probe.observe(connection, baseline.databaseOid());
    ResetOutcome outcome = decide(connection, now, baseline);
    if (outcome.kind() == ResetOutcome.Kind.RESET) {
      connection = resetter.session();
      outcome = restore(connection, now, baseline);
    }
    if (verify && outcome.kind() != ResetOutcome.Kind.RECREATE) {
      List<String> differences = SnapshotComparison.differences(connection, snapshot);
      if (!differences.isEmpty()) {
        throw new ResetVerificationException("A reset in place (" + outcome.kind() + ", " + outcome.tables()
            + " table(s) and " + outcome.sequences() + " sequence(s) put back) left the clone different from its "
            + "template: " + String.join("; ", differences) + ". This is a pgisolated bug; set pgisolated.reset=recreate "
            + "to work around it, and please report it with the test's SQL.");
      }
    }
    return outcome;
  }

  /**
   * What {@code DISCARD ALL} does, in one round trip, but for the prepared statements the driver
   * made (protocol-level, not {@code from_sql}): those are pgjdbc's own cache of server-side plans
   * for the test code's statements, and the next test on this clone, with the same schema, runs
   * them warm. Prepared statements a test made with SQL {@code PREPARE} are deallocated; then, as
   * {@code DEALLOCATE ALL} takes the driver's with them, pgjdbc notices and prepares its own again.
   * The session's statistics are flushed by the same round trip.
   */
  private static void forgetSessionState(Connection session) throws SQLException {
    try (Statement s = session.createStatement()) {
      s.execute("close all; set session authorization default; reset all; unlisten *;"
          + " select pg_advisory_unlock_all(); discard temp; discard sequences;"
          + " select pg_stat_force_next_flush(), (select count(*) from pg_prepared_statements where from_sql)");
      long sqlPrepared = 0;
      do {
        try (ResultSet rs = s.getResultSet()) {
          if (rs != null && rs.getMetaData().getColumnCount() == 2 && rs.next()) {
            sqlPrepared = rs.getLong(2);
          }
        }
      } while (s.getMoreResults() || s.getUpdateCount() != -1);
      if (sqlPrepared > 0) {
        s.execute("deallocate all");
      }
    }
  }

  /** RECREATE with the reason, or RESET/UNCHANGED (RESET still to be carried out). */
  private ResetOutcome decide(Connection connection, Observation now, Baseline baseline) throws SQLException {
    if (!now.trust().equals(baseline.trust())) {
      return ResetOutcome.recreate("statistics reset", "the server restarted or its statistics were reset ("
          + baseline.trust() + " -> " + now.trust() + "), so changes can't be seen");
    }
    if (now.otherChanges() != baseline.otherChanges()) {
      return catalogChange(connection);
    }
    if (now.statisticsChanges() != baseline.statisticsChanges() && now.analyzes() != baseline.analyzes()) {
      // The test ran ANALYZE: the planner's view of the tables is no longer the template's. When
      // only autovacuum analyzed them (its ANALYZEs are counted apart), the schema and the rows are
      // the template's still, and the clone stays.
      return ResetOutcome.recreate("ANALYZE", "the test analyzed tables (ANALYZE), which changes the planner statistics");
    }
    if (!now.database().equals(baseline.database())) {
      return ResetOutcome.recreate("database changed", "the database's own settings or state changed ("
          + baseline.database() + " -> " + now.database() + "): ALTER DATABASE, role settings, a prepared "
          + "transaction or a replication slot");
    }
    boolean changed = false;
    List<Relation> counted = probe.counted();
    for (int i = 0; i < counted.size(); i++) {
      if (now.tableChanges()[i] != baseline.tableChanges()[i]) {
        Relation r = counted.get(i);
        if (r.kind() == Kind.MATERIALIZED_VIEW) {
          return ResetOutcome.recreate("materialized view changed", "materialized view " + r.name()
              + " was refreshed; its rows can't be put back in place");
        }
        if (!r.restorable()) {
          return ResetOutcome.recreate("table with an always-firing trigger changed", "table " + r.name()
              + " has a trigger enabled ALWAYS or REPLICA, which would fire while its rows are put back");
        }
        changed = true;
      }
    }
    changed |= !changedSequences(now).isEmpty();
    return changed ? new ResetOutcome(ResetOutcome.Kind.RESET, "", "", null, 0, 0)
        : new ResetOutcome(ResetOutcome.Kind.UNCHANGED, "", "", baseline, 0, 0);
  }

  /**
   * Why a clone whose catalogs moved is recreated: a table or materialized view whose file node is
   * not the template's was truncated, rewritten or refreshed; else the catalogs that moved tell.
   */
  private ResetOutcome catalogChange(Connection connection) throws SQLException {
    StringBuilder oids = new StringBuilder();
    for (Relation r : probe.counted()) {
      oids.append(oids.length() == 0 ? "" : ", ").append(r.oid());
    }
    if (oids.length() > 0) {
      try (Statement s = connection.createStatement();
          ResultSet rs = s.executeQuery("select oid, relfilenode from pg_class where oid in (" + oids + ")")) {
        Map<Long, Long> fileNodes = new TreeMap<>();
        while (rs.next()) {
          fileNodes.put(rs.getLong(1), rs.getLong(2));
        }
        for (Relation r : probe.counted()) {
          if (!Objects.equals(fileNodes.get(r.oid()), r.fileNode())) {
            return r.kind() == Kind.MATERIALIZED_VIEW
                ? ResetOutcome.recreate("materialized view refreshed", "materialized view " + r.name()
                    + " was refreshed; its rows can't be put back in place")
                : ResetOutcome.recreate("TRUNCATE or a table rewrite", "table " + r.name()
                    + " was truncated or rewritten (TRUNCATE, VACUUM FULL, CLUSTER, ALTER TABLE) or dropped");
          }
        }
      }
    }
    List<String> moved = new ArrayList<>();
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("select c.relname from pg_class c where c.relnamespace = 11 and c.relkind = 'r'"
            + " and not c.relisshared and pg_stat_get_tuples_inserted(c.oid) + pg_stat_get_tuples_updated(c.oid)"
            + " + pg_stat_get_tuples_deleted(c.oid) > 0 order by 1")) {
      while (rs.next()) {
        moved.add(rs.getString(1));
      }
    }
    String reason;
    if (moved.stream().anyMatch(c -> c.startsWith("pg_largeobject"))) {
      reason = "large objects";
    } else {
      reason = "schema changed";
    }
    return ResetOutcome.recreate(reason, "rows changed outside the template's tables: in the catalogs (DDL, a temporary "
        + "object or a large object) or in a table the test created; catalogs with changes since the clone "
        + "was made: " + String.join(", ", moved));
  }

  private Map<Integer, SequenceState> changedSequences(Observation now) {
    Map<Integer, SequenceState> changed = new TreeMap<>();
    List<SequenceState> template = snapshot.sequences();
    for (int i = 0; i < template.size(); i++) {
      SequenceState s = template.get(i);
      Long expected = s.called() ? s.lastValue() : null;
      if (!Objects.equals(expected, now.sequences()[i])) {
        changed.put(i, s);
      }
    }
    return changed;
  }

  /**
   * Puts the changed tables and sequences back ({@link RowRestorer}), then takes the clone's next
   * baseline, which counts what the reset itself did.
   */
  private ResetOutcome restore(Connection connection, Observation now, Baseline baseline) throws SQLException {
    List<Relation> counted = probe.counted();
    Map<Long, TableData> byOid = new TreeMap<>();
    snapshot.tables().forEach(t -> byOid.put(t.table().oid(), t));
    List<TableData> changed = new ArrayList<>();
    for (int i = 0; i < counted.size(); i++) {
      if (now.tableChanges()[i] != baseline.tableChanges()[i]) {
        changed.add(byOid.get(counted.get(i).oid()));
      }
    }
    Map<Integer, SequenceState> sequences = changedSequences(now);
    RowRestorer.put(connection, changed, sequences.values(), baseline.horizon());
    // This session's statistics were flushed at the commit: what the reset did is in the counters.
    Baseline next = Baseline.of(baseline.databaseOid(), probe.observe(connection, baseline.databaseOid()));
    if (next.otherChanges() != baseline.otherChanges()) {
      // Putting rows back changed something beyond the template's tables: a trigger that fires
      // even now, or a rule. The clone can't be trusted; it is recreated.
      return ResetOutcome.recreate("restoring rows changed more", "putting the rows back changed rows outside the "
          + "template's tables (" + baseline.otherChanges() + " -> " + next.otherChanges() + ")");
    }
    return new ResetOutcome(ResetOutcome.Kind.RESET, "", "", next, changed.size(), sequences.size());
  }
}
