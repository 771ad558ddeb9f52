package io.github.pgisolated.core.internal.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.pgisolated.core.internal.server.ServerEndpoint;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** The connections pgisolated opens: small HikariCP pools and single admin sessions. */
public final class DataSources {
  /** From 9.0 on, PostgreSQL takes application_name in the startup packet. */
  private static final String ASSUME_MIN_SERVER_VERSION = "9.0";
  private DataSources() {}

  /**
   * A lazily connecting pool on one database. {@code applicationName} tells pgisolated's own
   * sessions apart from those a test opens by itself (only the latter count as leaks).
   */
  public static HikariDataSource pool(ServerEndpoint server, String database, int maxConnections, String poolName,
      String applicationName) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(server.jdbcUrl(database));
    config.setUsername(server.user());
    config.setPassword(server.password());
    config.setMaximumPoolSize(maxConnections);
    config.setMinimumIdle(0);
    config.setPoolName(poolName);
    // Do not connect (or fail) when the pool is created: a test may never use it.
    config.setInitializationFailTimeout(-1);
    config.setConnectionTimeout(30_000);
    config.addDataSourceProperty("ApplicationName", applicationName);
    config.addDataSourceProperty("tcpKeepAlive", "true");
    // Sends application_name in the startup packet instead of a SET after connecting: one round
    // trip less per connection, and DISCARD ALL (between tests on a clone reset in place) keeps it,
    // so pgisolated's own sessions never look like a test's leftovers.
    config.addDataSourceProperty("assumeMinServerVersion", ASSUME_MIN_SERVER_VERSION);
    return new HikariDataSource(config);
  }

  /** One unpooled session, e.g. the one holding advisory-lock claims. */
  public static Connection connect(ServerEndpoint server, String database) throws SQLException {
    return connect(server, database, new Properties());
  }

  public static Connection connect(ServerEndpoint server, String database, Properties extra) throws SQLException {
    Properties props = new Properties();
    props.putAll(extra);
    props.setProperty("user", server.user());
    props.setProperty("password", server.password());
    props.setProperty("ApplicationName", DatabaseAdmin.APPLICATION_NAME);
    props.setProperty("tcpKeepAlive", "true");
    props.setProperty("assumeMinServerVersion", ASSUME_MIN_SERVER_VERSION);
    return DriverManager.getConnection(server.jdbcUrl(database), props);
  }
}
