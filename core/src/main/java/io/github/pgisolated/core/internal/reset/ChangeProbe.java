package io.github.pgisolated.core.internal.reset;

import io.github.pgisolated.core.internal.reset.Relation.Kind;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.PGStatement;

/**
 * Reads what changed in a clone, in one round trip of a few hundred microseconds, from what
 * PostgreSQL keeps anyway: the cumulative statistics of the database ({@code
 * pg_stat_get_db_tuples_*}) and of every table of the template ({@code pg_stat_get_tuples_*}, its
 * TOAST table's included), every sequence's value, and the database's rows in the shared catalogs.
 * What the database counted beyond the template's tables is what happened elsewhere: in the
 * system catalogs (DDL, temporary objects, large objects, TRUNCATE, ANALYZE) or in tables a test
 * created. Nothing is added to the user's database.
 *
 * <p>The statistics of a session reach shared memory when its transaction ends, but at most once a
 * second unless asked: the caller has every session of the clone call
 * {@code pg_stat_force_next_flush()} first (sessions that already ended flushed theirs on exit).
 * The statement's text depends only on the snapshot and the database, so it is prepared on the
 * server once per session, at its first run, and every later observation only executes it.
 */
final class ChangeProbe {
  private final List<Relation> counted = new ArrayList<>();
  private final List<Relation> sequences = new ArrayList<>();
  private final String tables;
  private final String values;
  private final String analyzes;
  private final boolean preparedTransactions;
  private final boolean replicationSlots;

  ChangeProbe(TemplateSnapshot snapshot) {
    for (Relation r : snapshot.relations()) {
      (r.kind() == Kind.SEQUENCE ? sequences : counted).add(r);
    }
    // The OIDs go in as array literals, walked by unnest: the statement stays a few hundred
    // characters whatever the schema, where a function call per table made it grow to kilobytes
    // (41 tables: 20 kB), which the server parsed and planned again on every reset.
    StringBuilder oids = new StringBuilder();
    StringBuilder toasts = new StringBuilder();
    for (Relation r : counted) {
      oids.append(oids.length() == 0 ? "" : ",").append(r.oid());
      toasts.append(toasts.length() == 0 ? "" : ",").append(r.toast());
    }
    // A relation without TOAST has 0 there, whose counters read 0.
    tables = "array(select " + changes("t.o") + " + " + changes("t.x") + " from unnest('{" + oids + "}'::oid[], '{"
        + toasts + "}'::oid[]) with ordinality t(o, x, i) order by t.i)";
    StringBuilder seq = new StringBuilder();
    sequences.forEach(r -> seq.append(seq.length() == 0 ? "" : ",").append(r.oid()));
    values = "array(select pg_sequence_last_value(q.o) from unnest('{" + seq + "}'::oid[]) with ordinality q(o, i)"
        + " order by q.i)";
    analyzes = "(select coalesce(sum(pg_stat_get_analyze_count(a.o)), 0) from unnest('{" + oids + "}'::oid[]) a(o))";
    preparedTransactions = snapshot.preparedTransactionsPossible();
    replicationSlots = snapshot.logicalSlotsPossible();
  }

  /**
   * Row changes of the planner's statistics, ANALYZE's own writes (autovacuum's among them): the
   * statistics catalogs and their TOAST tables, where ANALYZE puts the histograms of wide values.
   */
  private static final String STATISTICS_CHANGES = changes("'pg_catalog.pg_statistic'::regclass") + " + "
      + changes("'pg_catalog.pg_statistic_ext_data'::regclass") + " + " + changes(toastOf("pg_statistic")) + " + "
      + changes(toastOf("pg_statistic_ext_data"));

  private static String toastOf(String catalog) {
    return "(select reltoastrelid from pg_class where oid = 'pg_catalog." + catalog + "'::regclass)";
  }

  private static String changes(Object oid) {
    return "pg_stat_get_tuples_inserted(" + oid + ") + pg_stat_get_tuples_updated(" + oid
        + ") + pg_stat_get_tuples_deleted(" + oid + ")";
  }

  /** The tables and materialized views whose counters {@link Observation#tableChanges()} holds, in order. */
  List<Relation> counted() {
    return counted;
  }

  /** The sequences whose values {@link Observation#sequences()} holds, in order. */
  List<Relation> sequences() {
    return sequences;
  }

  /** The OID of the database a connection is on. */
  static long databaseOid(Connection connection) throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement(
        "select oid from pg_database where datname = current_database()"); ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  Observation observe(Connection connection, long database) throws SQLException {
    String sql = "select pg_stat_get_db_tuples_inserted(" + database + ") + pg_stat_get_db_tuples_updated(" + database
        + ") + pg_stat_get_db_tuples_deleted(" + database + "), " + tables + ", " + values + ", "
        + STATISTICS_CHANGES + ", " + analyzes + ", "
        + "coalesce(pg_stat_get_db_stat_reset_time(" + database + ")::text, 'never') || ' '"
        + " || pg_postmaster_start_time()::text, "
        + "concat_ws(' ', (select concat_ws(' ', d.datname, d.datallowconn, d.datconnlimit, d.datacl, d.datistemplate,"
        + " d.datdba) from pg_database d where d.oid = " + database + "), shobj_description(" + database
        + ", 'pg_database'), (select string_agg(s.setrole || ':' || array_to_string(s.setconfig, ','), ';'"
        + " order by s.setrole) from pg_db_role_setting s where s.setdatabase = " + database + ")"
        + (preparedTransactions ? ", 'prepared=' || (select count(*) from pg_prepared_xact() p where p.dbid = "
            + database + ")" : "")
        + (replicationSlots ? ", 'slots=' || (select count(*) from pg_get_replication_slots() r where r.datoid = "
            + database + ")" : "")
        + "), pg_snapshot_xmax(pg_current_snapshot())::text::bigint";
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      // Prepared on the server at its first run: a session observes its clone before and after
      // every reset, and parsing and planning it cost four times its execution.
      ps.unwrap(PGStatement.class).setPrepareThreshold(1);
      try (ResultSet rs = ps.executeQuery()) {
        return read(rs);
      }
    }
  }

  private static Observation read(ResultSet rs) throws SQLException {
    rs.next();
    long[] changes = longs(rs.getArray(2));
    long statistics = rs.getLong(4);
    long other = rs.getLong(1) - statistics;
    for (long c : changes) {
      other -= c;
    }
    return new Observation(other, statistics, rs.getLong(5), changes, nullableLongs(rs.getArray(3)), rs.getString(6),
        rs.getString(7), rs.getLong(8));
  }

  private static long[] longs(Array array) throws SQLException {
    Long[] boxed = nullableLongs(array);
    long[] values = new long[boxed.length];
    for (int i = 0; i < boxed.length; i++) {
      values[i] = boxed[i] == null ? 0 : boxed[i];
    }
    return values;
  }

  private static Long[] nullableLongs(Array array) throws SQLException {
    if (array == null) {
      return new Long[0];
    }
    Object values = array.getArray();
    return values instanceof Long[] longs ? longs : new Long[0];
  }
}
