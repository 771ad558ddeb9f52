package io.github.pgisolated.cli.internal;

import io.github.pgisolated.core.internal.db.DataSources;
import io.github.pgisolated.core.internal.db.DatabaseAdmin;
import io.github.pgisolated.core.internal.engine.PoolEngine;
import io.github.pgisolated.core.internal.server.ServerEndpoint;
import io.github.pgisolated.core.internal.template.ClientTemplates;
import java.io.IOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The IntegreSQL API of one {@code serve} or {@code wrap}: its templates, its leases, its HTTP
 * server, and the sweeper thread that, every {@link #SWEEP_MILLIS} ms, recycles databases their
 * clients are done with ({@link HttpLeases#sweep}) and fails templates their clients abandoned
 * ({@link HttpTemplates#expireAbandoned}).
 */
final class IntegreSqlService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IntegreSqlService.class);
  static final long SWEEP_MILLIS = 100;

  private final HttpTemplates templates;
  private final HttpLeases leases;
  private final IntegreSqlApi api;
  private final ServerEndpoint postgres;
  private final Thread sweeper;
  private volatile boolean closed;

  private IntegreSqlService(HttpTemplates templates, HttpLeases leases, IntegreSqlApi api, ServerEndpoint postgres) {
    this.templates = templates;
    this.leases = leases;
    this.api = api;
    this.postgres = postgres;
    this.sweeper = new Thread(this::sweepLoop, "pgisolated-http-sweeper");
    sweeper.setDaemon(true);
    sweeper.start();
  }

  static IntegreSqlService start(PoolEngine engine, Settings settings) throws IOException {
    ClientTemplates store = ClientTemplates.create(engine.endpoint(), engine.admin(), engine.config(), "integresql");
    HttpTemplates templates = new HttpTemplates(store, settings.initTimeout());
    HttpLeases leases = new HttpLeases(engine, settings.minimalLifetime(), settings.leaseTtl());
    try {
      IntegreSqlApi api = IntegreSqlApi.start(settings.address(), settings.port(), templates, leases, engine.endpoint(),
          settings.finalizeTimeout(), settings.getTimeout());
      return new IntegreSqlService(templates, leases, api, engine.endpoint());
    } catch (IOException | RuntimeException e) {
      templates.close();
      throw e;
    }
  }

  String baseUrl() {
    return api.baseUrl();
  }

  HttpTemplates templates() {
    return templates;
  }

  HttpLeases leases() {
    return leases;
  }

  private void sweepLoop() {
    Connection session = null;
    while (!closed) {
      try {
        Thread.sleep(SWEEP_MILLIS);
        templates.expireAbandoned();
        List<String> out = leases.databases();
        if (out.isEmpty()) {
          continue;
        }
        if (session == null || session.isClosed()) {
          session = DataSources.connect(postgres, postgres.maintenanceDatabase());
        }
        Map<String, Integer> sessions = sessionsOn(session, out);
        leases.sweep(name -> sessions.getOrDefault(name, 0));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (SQLException | RuntimeException e) {
        if (!closed) {
          LOG.debug("Sweep failed; trying again", e);
        }
        close(session);
        session = null;
      }
    }
    close(session);
  }

  /** Sessions on each database that are not pgisolated's own. */
  private static Map<String, Integer> sessionsOn(Connection c, List<String> databases) throws SQLException {
    Map<String, Integer> result = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement("select datname, count(*) from pg_stat_activity where datname = any(?)"
        + " and pid <> pg_backend_pid() and coalesce(application_name, '') <> ? group by datname")) {
      Array names = c.createArrayOf("text", databases.toArray());
      ps.setArray(1, names);
      ps.setString(2, DatabaseAdmin.APPLICATION_NAME);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          result.put(rs.getString(1), rs.getInt(2));
        }
      }
    }
    return result;
  }

  private static void close(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // going away either way
      }
    }
  }

  /** Stops serving, ends the leases still out (their databases are recreated) and gives up the templates. */
  @Override
  public void close() {
    closed = true;
    sweeper.interrupt();
    api.close();
    leases.close();
    templates.close();
  }
}
