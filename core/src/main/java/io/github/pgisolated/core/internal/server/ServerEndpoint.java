package io.github.pgisolated.core.internal.server;

import io.github.pgisolated.core.PgDatabase;
import java.util.Objects;

/**
 * Where a PostgreSQL server listens and the superuser credentials pgisolated administers it
 * with (creating templates, cloning, dropping).
 *
 * @param host the host to connect to, usually {@code 127.0.0.1}
 * @param port the TCP port
 * @param user a superuser (or a role with CREATEDB) name
 * @param password its password, may be empty
 * @param majorVersion the server's major version (for example 18), used for SQL features and hashing
 * @param description a short human description for logs and error messages, e.g.
 *     {@code "embedded PostgreSQL 18.6 at 127.0.0.1:54012 (data /dev/shm/pgisolated-root/18)"}
 * @param maintenanceDatabase the database pgisolated's administrative sessions connect to
 */
public record ServerEndpoint(String host, int port, String user, String password, int majorVersion,
    String description, String maintenanceDatabase) {

  /** An endpoint whose maintenance database is {@code postgres}. */
  public ServerEndpoint(String host, int port, String user, String password, int majorVersion, String description) {
    this(host, port, user, password, majorVersion, description, "postgres");
  }

  public ServerEndpoint {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(maintenanceDatabase, "maintenanceDatabase");
    if (port <= 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
  }

  /** The JDBC URL of one database on this server. */
  public String jdbcUrl(String database) {
    return database(database).jdbcUrl();
  }

  /** One database on this server, as users see it. */
  public PgDatabase database(String database) {
    return new PgDatabase(host, port, database, user, password);
  }

  @Override
  public String toString() {
    // Never print the password.
    return description;
  }
}
