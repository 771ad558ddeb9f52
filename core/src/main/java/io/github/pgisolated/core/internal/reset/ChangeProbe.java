package io.github.pgisolated.core.internal.reset;

import io.github.pgisolated.core.internal.reset.Relation.Kind;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads what changed in a clone, in one round trip, from what PostgreSQL keeps anyway: the
 * cumulative statistics ({@code pg_stat_get_tuples_*}) of every table of the template and of the
 * database's own catalogs, every sequence's value, and the database's rows in the shared catalogs.
 * Nothing is added to the user's database.
 *
 * <p>The statistics of a session reach shared memory when its transaction ends, but at most once a
 * second unless asked: the caller has every session of the clone call
 * {@code pg_stat_force_next_flush()} first (sessions that already ended flushed theirs on exit).
 * The statement text depends only on the snapshot, so pgjdbc prepares it once per connection.
 */
final class ChangeProbe {
  private final List<Relation> counted = new ArrayList<>();
  private final List<Relation> sequences = new ArrayList<>();
  private final String sql;

  ChangeProbe(TemplateSnapshot snapshot) {
    for (Relation r : snapshot.relations()) {
      (r.kind() == Kind.SEQUENCE ? sequences : counted).add(r);
    }
    StringBuilder tables = new StringBuilder("array[");
    for (int i = 0; i < counted.size(); i++) {
      long oid = counted.get(i).oid();
      tables.append(i == 0 ? "" : ", ").append("pg_stat_get_tuples_inserted(").append(oid)
          .append(") + pg_stat_get_tuples_updated(").append(oid).append(") + pg_stat_get_tuples_deleted(").append(oid)
          .append(")");
    }
    tables.append("]::bigint[]");
    StringBuilder values = new StringBuilder("array[");
    for (int i = 0; i < sequences.size(); i++) {
      values.append(i == 0 ? "" : ", ").append("pg_sequence_last_value(").append(sequences.get(i).oid()).append(")");
    }
    values.append("]::bigint[]");
    // pg_catalog is namespace 11 and pg_toast 99 in every PostgreSQL.
    sql = "select (select coalesce(sum(pg_stat_get_tuples_inserted(c.oid) + pg_stat_get_tuples_updated(c.oid)"
        + " + pg_stat_get_tuples_deleted(c.oid)), 0)::bigint from pg_class c where c.relnamespace in (11, 99)"
        + " and c.relkind in ('r', 't') and not c.relisshared), "
        + tables + ", " + values + ", "
        + "(select coalesce(max(stats_reset)::text, 'never') from pg_stat_database where datname = current_database())"
        + " || ' ' || pg_postmaster_start_time()::text, "
        + "(select concat_ws(' ', d.datallowconn, d.datconnlimit, d.datacl, d.datistemplate, d.datdba,"
        + " shobj_description(d.oid, 'pg_database'),"
        + " (select string_agg(s.setrole || ':' || array_to_string(s.setconfig, ','), ';' order by s.setrole)"
        + " from pg_db_role_setting s where s.setdatabase = d.oid),"
        + " 'prepared=' || (select count(*) from pg_prepared_xacts p where p.database = d.datname),"
        + " 'slots=' || (select count(*) from pg_replication_slots r where r.database = d.datname))"
        + " from pg_database d where d.datname = current_database())";
  }

  /** The tables and materialized views whose counters {@link Observation#tableChanges()} holds, in order. */
  List<Relation> counted() {
    return counted;
  }

  /** The sequences whose values {@link Observation#sequences()} holds, in order. */
  List<Relation> sequences() {
    return sequences;
  }

  Observation observe(Connection connection) throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
      rs.next();
      return new Observation(rs.getLong(1), longs(rs.getArray(2)), nullableLongs(rs.getArray(3)), rs.getString(4),
          rs.getString(5));
    }
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
