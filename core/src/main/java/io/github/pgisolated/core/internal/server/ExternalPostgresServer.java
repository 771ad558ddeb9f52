package io.github.pgisolated.core.internal.server;

import io.github.pgisolated.core.PgIsolatedConfig;
import io.github.pgisolated.core.UnableToStartPostgresException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server the user runs: a local install, a CI service container. pgisolated only creates and
 * drops its own marked databases there; the server itself is never started or stopped.
 */
public final class ExternalPostgresServer implements PostgresServer {
  private static final Pattern URL = Pattern.compile("jdbc:postgresql://(\\[[^\\]]+\\]|[^:/?]+)(?::(\\d+))?/([^?]*)(\\?.*)?");

  private final ServerEndpoint endpoint;

  private ExternalPostgresServer(ServerEndpoint endpoint) {
    this.endpoint = endpoint;
  }

  /** Connects to the configured server (falling back to PGHOST, PGPORT, PGUSER, PGPASSWORD). */
  public static ExternalPostgresServer connect(PgIsolatedConfig config) {
    return connect(config, System.getenv()::get);
  }

  static ExternalPostgresServer connect(PgIsolatedConfig config, Function<String, String> env) {
    String url = config.externalUrl().orElseGet(() -> "jdbc:postgresql://"
        + Optional.ofNullable(env.apply("PGHOST")).filter(h -> !h.isBlank() && !h.startsWith("/")).orElse("localhost")
        + ":" + Optional.ofNullable(env.apply("PGPORT")).filter(p -> !p.isBlank()).orElse("5432")
        + "/" + Optional.ofNullable(env.apply("PGDATABASE")).filter(d -> !d.isBlank()).orElse("postgres"));
    Matcher m = URL.matcher(url);
    if (!m.matches()) {
      throw new UnableToStartPostgresException("Cannot use external PostgreSQL URL '" + url
          + "': expected jdbc:postgresql://host:port/database. Fix pgisolated.external.url.");
    }
    String host = m.group(1).startsWith("[") ? m.group(1).substring(1, m.group(1).length() - 1) : m.group(1);
    int port = m.group(2) == null ? 5432 : Integer.parseInt(m.group(2));
    String database = m.group(3).isEmpty() ? "postgres" : m.group(3);
    String user = config.externalUser().or(() -> Optional.ofNullable(env.apply("PGUSER"))).orElse("postgres");
    String password = config.externalPassword().or(() -> Optional.ofNullable(env.apply("PGPASSWORD"))).orElse("");
    int major = probe(url, user, password);
    ServerEndpoint endpoint = new ServerEndpoint(host, port, user, password, major,
        "external PostgreSQL " + major + " at " + host + ":" + port, database);
    return new ExternalPostgresServer(endpoint);
  }

  private static int probe(String url, String user, String password) {
    Properties props = new Properties();
    props.setProperty("user", user);
    props.setProperty("password", password);
    props.setProperty("connectTimeout", "10");
    try (Connection c = DriverManager.getConnection(url, props); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select current_setting('server_version_num')::int / 10000,"
            + " (select rolsuper or rolcreatedb from pg_roles where rolname = current_user)")) {
      rs.next();
      if (!rs.getBoolean(2)) {
        throw new UnableToStartPostgresException("Role " + user + " on the external PostgreSQL at " + url
            + " can neither create databases nor is a superuser. Grant it CREATEDB (ALTER ROLE " + user
            + " CREATEDB) or set pgisolated.external.user to a role that can.");
      }
      return rs.getInt(1);
    } catch (SQLException e) {
      throw new UnableToStartPostgresException("Could not connect to the external PostgreSQL at " + url + " as "
          + user + ": " + e.getMessage() + ". Check that the server runs and that pgisolated.external.url, "
          + ".user and .password (or PGHOST, PGPORT, PGUSER, PGPASSWORD) are right, or use "
          + "pgisolated.postgres=embedded.", e);
    }
  }

  @Override
  public ServerEndpoint endpoint() {
    return endpoint;
  }

  @Override
  public Optional<String> coordinationKey() {
    return Optional.of("external " + endpoint.host() + ":" + endpoint.port() + "/" + endpoint.maintenanceDatabase()
        + " as " + endpoint.user());
  }

  @Override
  public void close() {
    // Not ours to stop.
  }
}
