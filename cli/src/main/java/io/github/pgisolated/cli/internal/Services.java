package io.github.pgisolated.cli.internal;

import io.github.pgisolated.core.PgIsolatedConfig;
import io.github.pgisolated.core.internal.engine.PoolEngine;
import io.github.pgisolated.core.internal.server.ServerEndpoint;
import java.io.IOException;
import java.io.PrintStream;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What serve and wrap run: a pgisolated pool (it joins the election of the JVMs on this machine,
 * so it becomes their coordinator or a client of theirs), the IntegreSQL API on it and, when
 * asked, pgmanager's socket and databases. Closed in reverse order; {@link #summary} is what
 * pgmanager prints when it stops.
 */
final class Services implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Services.class);

  private final PoolEngine engine;
  private final IntegreSqlService http;
  private final PgManagerDatabases pgmanagerDatabases;
  private final PgManagerSocket pgmanager;
  private boolean closed;

  private Services(PoolEngine engine, IntegreSqlService http, PgManagerDatabases pgmanagerDatabases,
      PgManagerSocket pgmanager) {
    this.engine = engine;
    this.http = http;
    this.pgmanagerDatabases = pgmanagerDatabases;
    this.pgmanager = pgmanager;
  }

  static PoolEngine startPool(Settings settings) {
    return PoolEngine.start(PgIsolatedConfig.from(settings.coreSettings()));
  }

  static Services start(Settings settings) throws IOException, SQLException {
    PoolEngine engine = startPool(settings);
    IntegreSqlService http = null;
    boolean coordinator;
    PgManagerDatabases databases = null;
    try {
      coordinator = engine.joinElection();
      if (settings.http()) {
        http = IntegreSqlService.start(engine, settings);
      }
      PgManagerSocket socket = null;
      if (settings.pgmanagerSocket() != null) {
        databases = startDatabases(engine, settings);
        socket = PgManagerSocket.start(settings.pgmanagerSocket(), databases);
      }
      Services services = new Services(engine, http, databases, socket);
      LOG.info("pgisolated serving on {}{}{} ({})", engine.serverDescription(),
          http == null ? "" : ", IntegreSQL API at " + http.baseUrl(),
          socket == null ? "" : ", pgmanager socket " + socket.path(),
          coordinator ? "the coordinator of its pool" : "leasing through the coordinator of its pool");
      return services;
    } catch (IOException | SQLException | RuntimeException e) {
      if (databases != null) {
        databases.close();
      }
      if (http != null) {
        http.close();
      }
      engine.close();
      throw e;
    }
  }

  /** pgmanager's databases, cloned from the {@code --template} template. */
  static PgManagerDatabases startDatabases(PoolEngine engine, Settings settings) throws SQLException {
    String hash = engine.ensureTemplate(TemplateFiles.definition(settings.templates()));
    return PgManagerDatabases.start(engine.endpoint(), engine.admin(), hash, settings.prefix(), settings.count());
  }

  /** What a client needs: the variables wrap passes on and --print-env prints. */
  Map<String, String> clientEnvironment() {
    Map<String, String> env = new LinkedHashMap<>();
    if (http != null) {
      // Go's client reads INTEGRESQL_CLIENT_BASE_URL (with /api); the Node and Python clients take the server's URL.
      env.put("INTEGRESQL_CLIENT_BASE_URL", http.baseUrl());
      env.put("INTEGRESQL_URL", http.baseUrl().substring(0, http.baseUrl().length() - "/api".length()));
    }
    if (pgmanager != null) {
      env.put("PGMANAGER_SOCKET", pgmanager.path().toString());
      env.put("PGM_SOCKET", pgmanager.path().toString());
    }
    env.putAll(serverEnvironment(engine.endpoint()));
    return env;
  }

  /** libpq's variables for the server (psql and most drivers read them). */
  static Map<String, String> serverEnvironment(ServerEndpoint server) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PGHOST", server.host());
    env.put("PGPORT", Integer.toString(server.port()));
    env.put("PGUSER", server.user());
    env.put("PGPASSWORD", server.password());
    return env;
  }

  /** Prints {@code export NAME='value'} lines, for {@code eval "$(pgisolated serve --print-env)"}-style use. */
  static void printEnvironment(Map<String, String> env, PrintStream out) {
    env.forEach((name, value) -> out.println("export " + name + "='" + value.replace("'", "'\\''") + "'"));
    out.flush();
  }

  PoolEngine engine() {
    return engine;
  }

  IntegreSqlService http() {
    return http;
  }

  String summary() {
    StringBuilder s = new StringBuilder("pgisolated stopped.");
    if (http != null) {
      s.append(" IntegreSQL API: peak ").append(http.leases().peak()).append(" test database(s) out at once, ")
          .append(http.leases().recycled()).append(" recycled unreturned.");
    }
    if (pgmanagerDatabases != null) {
      s.append(' ').append(pgmanagerDatabases.summary()).append('.');
    }
    return s.toString();
  }

  /** Removes the socket, ends every lease (each database is recreated), then leaves the pool. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (pgmanager != null) {
      pgmanager.close();
    }
    if (pgmanagerDatabases != null) {
      pgmanagerDatabases.close();
    }
    if (http != null) {
      http.close();
    }
    engine.close();
  }
}
