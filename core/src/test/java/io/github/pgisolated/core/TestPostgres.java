package io.github.pgisolated.core;

import io.github.pgisolated.core.internal.pool.PoolEngine;
import io.github.pgisolated.core.internal.server.ServerEndpoint;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * The server core's tests run against: the embedded PostgreSQL with its defaults (the suite runs
 * as root in CI, so that exercises the root path), unless PGI_TEST_EXTERNAL_URL points
 * at another server.
 */
public final class TestPostgres {
  private TestPostgres() {}

  /** A configuration for tests, with overrides. */
  public static PgIsolatedConfig config(Map<String, String> overrides) {
    Map<String, String> properties = new HashMap<>();
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
}
