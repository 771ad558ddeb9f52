package io.github.pgisolated.core;

import io.github.pgisolated.core.internal.engine.PoolEngine;
import io.github.pgisolated.core.internal.server.ServerEndpoint;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The server core's tests run against: the embedded PostgreSQL with its defaults (the suite runs
 * as root in CI, so that exercises the root path), unless PGI_TEST_EXTERNAL_URL points
 * at another server.
 */
public final class TestPostgres {
  private TestPostgres() {}

  /**
   * A configuration for tests, with overrides. Prefetching is off unless a test turns it on:
   * core's tests count leases and clones exactly, and a prefetched lease would be one more.
   * Prefetching itself is tested in {@code PrefetchTests}, and is on in the extension's tests,
   * the examples and the child JVMs of the process tests.
   */
  public static PgIsolatedConfig config(Map<String, String> overrides) {
    Map<String, String> properties = new HashMap<>();
    properties.put("pgisolated.prefetch", "false");
    // No background refill after every pool a test closes; RefillProcessTests turns it on.
    properties.put("pgisolated.pool.refill", "false");
    String external = System.getenv("PGI_TEST_EXTERNAL_URL");
    if (external != null) {
      properties.put("pgisolated.postgres", "external");
      properties.put("pgisolated.external.url", external);
      properties.put("pgisolated.external.user", System.getenv().getOrDefault("PGI_TEST_EXTERNAL_USER", "postgres"));
      properties.put("pgisolated.external.password", System.getenv().getOrDefault("PGI_TEST_EXTERNAL_PASSWORD", ""));
    }
    properties.putAll(overrides);
    return PgIsolatedConfig.from(properties);
  }

  public static PgIsolatedConfig config() {
    return config(Map.of());
  }

  /** An administrative session on the pool's server, for checking what pgisolated did. */
  public static Connection adminConnection(PgIsolatedPool pool) throws SQLException {
    ServerEndpoint endpoint = ((PoolEngine) pool).endpoint();
    return DriverManager.getConnection(endpoint.jdbcUrl(endpoint.maintenanceDatabase()), endpoint.user(),
        endpoint.password());
  }

  /** Whether a database of that name exists on the pool's server. */
  public static boolean databaseExists(PgIsolatedPool pool, String database) throws SQLException {
    try (Connection admin = adminConnection(pool);
        PreparedStatement ps = admin.prepareStatement("select 1 from pg_database where datname = ?")) {
      ps.setString(1, database);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /**
   * Drops every database pgisolated marked for one of the given template hashes: tests clean up
   * the templates they made, so that repeated runs do not fill the shared cluster. A collector
   * (in this JVM or another) may drop some of them meanwhile.
   */
  public static void dropDatabasesOf(PgIsolatedPool pool, Collection<String> hashes) throws SQLException {
    try (Connection admin = adminConnection(pool); Statement s = admin.createStatement()) {
      for (String hash : hashes) {
        Map<String, Boolean> names = new LinkedHashMap<>();
        try (ResultSet rs = s.executeQuery("select datname, datistemplate from pg_database where datname like 'pgisolated\\_"
            + hash + "\\_%' and shobj_description(oid, 'pg_database') like 'pgisolated:1 % " + hash + "%'")) {
          while (rs.next()) {
            names.put(rs.getString(1), rs.getBoolean(2));
          }
        }
        for (Map.Entry<String, Boolean> name : names.entrySet()) {
          // A template cannot be dropped while it is flagged as one. Only templates are altered: a
          // clone may be caught mid-recreation by its pool (an "invalid" database), and altering
          // that is a FATAL error, which closes this connection.
          if (name.getValue()) {
            s.execute("alter database \"" + name.getKey() + "\" is_template false");
          }
          s.execute("drop database if exists \"" + name.getKey() + "\" with (force)");
        }
      }
    }
  }
}
