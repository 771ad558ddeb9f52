package io.github.pgisolated.core;

import io.github.pgisolated.core.internal.engine.PoolEngine;
import io.github.pgisolated.core.internal.server.ServerEndpoint;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Login roles a test creates on the suite's server, to use it as an external server the way a
 * CI pipeline with a plain role does; {@link #close} drops them with every database they own.
 */
public final class TestRoles implements AutoCloseable {
  /** Every role's password: the suite's server wants one (scram-sha-256). */
  public static final String PASSWORD = "pgisolated-test";

  private final ServerEndpoint server;
  private final List<String> created = new ArrayList<>();

  /** Roles on the server of a pool that runs as a superuser. */
  public TestRoles(PgIsolatedPool superuserPool) {
    this.server = ((PoolEngine) superuserPool).endpoint();
  }

  /** A new login role with the given attributes ({@code "createdb"}, or {@code ""} for none), uniquely named. */
  public String create(String prefix, String attributes) throws SQLException {
    String role = prefix + "_" + UUID.randomUUID().toString().substring(0, 8);
    execute("create role " + role + " login " + attributes + " password '" + PASSWORD + "'");
    created.add(role);
    return role;
  }

  /** Runs SQL as the superuser on the maintenance database. */
  public void execute(String sql) throws SQLException {
    try (Connection c = superuser(); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  public Connection superuser() throws SQLException {
    return DriverManager.getConnection(server.jdbcUrl(server.maintenanceDatabase()), server.user(), server.password());
  }

  public Connection as(String role, String database) throws SQLException {
    return DriverManager.getConnection(server.jdbcUrl(database), role, PASSWORD);
  }

  /** The configuration of a pool that uses the suite's server as an external one, as this role. */
  public Map<String, String> externalConfig(String role) {
    Map<String, String> config = new HashMap<>();
    config.put("pgisolated.postgres", "external");
    config.put("pgisolated.external.url", server.jdbcUrl(server.maintenanceDatabase()));
    config.put("pgisolated.external.user", role);
    config.put("pgisolated.external.password", PASSWORD);
    return config;
  }

  /** The configuration of a pool that uses the suite's server as an external one, as its superuser. */
  public Map<String, String> superuserExternalConfig() {
    Map<String, String> config = externalConfig(server.user());
    config.put("pgisolated.external.password", server.password());
    return config;
  }

  /** The superuser the suite's server is administered as. */
  public String superuserName() {
    return server.user();
  }

  /** The databases a role owns. */
  public List<String> databasesOf(String role) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Connection c = superuser(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select datname from pg_database where pg_get_userbyid(datdba) = '" + role
            + "' order by datname")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
  }

  /** Drops every role created, with the databases it owns (templates unflagged first). */
  @Override
  public void close() throws SQLException {
    SQLException failure = null;
    for (String role : created) {
      try {
        for (String database : databasesOf(role)) {
          // Only templates are altered: altering a clone caught mid-recreation (an invalid
          // database) is a FATAL error.
          execute("do $$ begin if (select datistemplate from pg_database where datname = '" + database
              + "') then alter database \"" + database + "\" is_template false; end if; end $$");
          execute("drop database if exists \"" + database + "\" with (force)");
        }
        // Privileges granted to it (on parameters, say) go first.
        execute("drop owned by " + role);
        execute("drop role if exists " + role);
      } catch (SQLException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    created.clear();
    if (failure != null) {
      throw failure;
    }
  }
}
