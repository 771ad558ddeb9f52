package io.github.pgisolated.core;

import java.util.Objects;

/**
 * Where a test's own database is: what a framework (Spring, Flyway, jOOQ, …) needs to point at it.
 *
 * <p>For <em>users</em>. Resolved as a test parameter by the JUnit extension, or taken from a
 * {@link DatabaseLease}:
 *
 * <pre>{@code
 * @Test
 * void migratesWithSpring(PgDatabase db) {
 *   System.setProperty("spring.datasource.url", db.jdbcUrl());
 *   System.setProperty("spring.datasource.username", db.user());
 *   System.setProperty("spring.datasource.password", db.password());
 * }
 * }</pre>
 *
 * <p>{@link #toString()} never shows the password.
 *
 * @param host the host PostgreSQL listens on, e.g. {@code 127.0.0.1}
 * @param port its TCP port
 * @param databaseName the name of this test's database
 * @param user the role to log in as
 * @param password its password
 * @since 0.1.0
 */
public record PgDatabase(String host, int port, String databaseName, String user, String password) {

  public PgDatabase {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(databaseName, "databaseName");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
  }

  /** The JDBC URL, without credentials: {@code jdbc:postgresql://host:port/database}. */
  public String jdbcUrl() {
    String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    return "jdbc:postgresql://" + h + ":" + port + "/" + databaseName;
  }

  @Override
  public String toString() {
    return "PgDatabase[" + jdbcUrl() + ", user=" + user + "]";
  }
}
