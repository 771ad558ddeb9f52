package io.github.pgisolated.core.internal.reset;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A fingerprint of a database's own catalogs: every row of every local system catalog (the
 * schema, functions, types, triggers, comments, privileges, large objects: everything DDL leaves),
 * so that two databases with the same fingerprint have the same schema. Shared catalogs
 * ({@code pg_database}, roles) are not the database's own and are left out, and so are catalogs the
 * role may not read ({@code pg_largeobject} for a role that is not a superuser); so are what the
 * server changes by itself without changing the schema: planner statistics ({@code pg_statistic},
 * {@code pg_statistic_ext_data}) and the physical columns of {@code pg_class} (size, tuple counts,
 * frozen XIDs, file node), which VACUUM and ANALYZE move.
 *
 * <p>Per catalog it is the row count and two sums of 32-bit slices of each row's MD5, so it needs
 * no sort and does not depend on row order. Rows are read as text under fixed output settings, so
 * the fingerprint does not depend on the session's. It reads some 25 000 rows on an empty
 * database: tens of milliseconds, so it runs when a template is built, when a JVM first takes a
 * template's snapshot, and after resets only in verification mode.
 */
final class CatalogFingerprint {
  /** Columns of pg_class that the server changes by itself (VACUUM, ANALYZE, rewrites). */
  private static final String PHYSICAL_PG_CLASS_COLUMNS =
      "'relpages', 'reltuples', 'relallvisible', 'relallfrozen', 'relfrozenxid', 'relminmxid', 'relfilenode'";
  private static final String CATALOG_COLUMNS = "select c.relname, string_agg(quote_ident(a.attname), ', ' order by a.attnum)"
      + " from pg_class c join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped"
      + " where c.relnamespace = 'pg_catalog'::regnamespace and c.relkind = 'r' and not c.relisshared"
      + " and c.relname not in ('pg_statistic', 'pg_statistic_ext_data')"
      // A role that is not a superuser may not read pg_largeobject (the large objects' data; their
      // metadata, which creating or dropping one changes, stays in). The same role always reads
      // the same catalogs: a template's fingerprint is only ever compared with its own clones',
      // and a plain role's templates are its own (TemplateHasher).
      + " and has_table_privilege(c.oid, 'SELECT')"
      + " and not (c.relname = 'pg_class' and a.attname in (" + PHYSICAL_PG_CLASS_COLUMNS + "))"
      + " group by c.relname order by c.relname";

  private CatalogFingerprint() {}

  /** One fingerprint: per catalog {@code rows:sum:sum}, and all of them hashed together. */
  record Result(String value, Map<String, String> perCatalog) {

    /** The catalogs whose rows differ from {@code other}'s, for error messages. */
    List<String> differencesFrom(Result other) {
      List<String> differ = new ArrayList<>();
      Map<String, String> all = new TreeMap<>(perCatalog);
      other.perCatalog.forEach(all::putIfAbsent);
      for (String catalog : all.keySet()) {
        if (!String.valueOf(perCatalog.get(catalog)).equals(String.valueOf(other.perCatalog.get(catalog)))) {
          differ.add(catalog);
        }
      }
      return differ;
    }
  }

  static Result of(Connection connection) throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try (Statement s = connection.createStatement()) {
      s.execute("set local extra_float_digits = 3; set local bytea_output = 'hex'; set local datestyle = 'ISO, YMD';"
          + " set local intervalstyle = 'postgres'; set local timezone = 'UTC'");
      StringBuilder query = new StringBuilder();
      try (ResultSet rs = s.executeQuery(CATALOG_COLUMNS)) {
        while (rs.next()) {
          if (query.length() > 0) {
            query.append(" union all ");
          }
          String catalog = rs.getString(1);
          query.append("select '").append(catalog).append("', count(*),")
              .append(" coalesce(sum(('x' || substr(h, 1, 8))::bit(32)::int::bigint), 0),")
              .append(" coalesce(sum(('x' || substr(h, 9, 8))::bit(32)::int::bigint), 0)")
              .append(" from (select md5(row(").append(rs.getString(2)).append(")::text) h from pg_catalog.")
              .append(catalog).append(") r");
        }
      }
      Map<String, String> perCatalog = new TreeMap<>();
      try (ResultSet rs = s.executeQuery(query.toString())) {
        while (rs.next()) {
          perCatalog.put(rs.getString(1), rs.getLong(2) + ":" + rs.getLong(3) + ":" + rs.getLong(4));
        }
      }
      connection.commit();
      MessageDigest digest = CopyDigest.sha256();
      perCatalog.forEach((catalog, value) -> digest.update((catalog + "=" + value + "\n").getBytes(StandardCharsets.UTF_8)));
      return new Result(HexFormat.of().formatHex(digest.digest(), 0, 8), perCatalog);
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }
}
