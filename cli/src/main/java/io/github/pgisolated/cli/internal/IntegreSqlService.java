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
  /** Whether the server has pg_stat_database.sessions; only the sweeper thread reads and writes it. */
  private boolean withSessionCounts = true;

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
        Map<String, HttpLeases.Activity> activity = activityOn(session, out);
        leases.sweep(name -> activity.getOrDefault(name, HttpLeases.Activity.NONE));
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

  /**
   * Per database: its sessions that are not pgisolated's own, and whether anyone ever connected to
   * it since it was (re)created. The latter comes from pg_stat_database.sessions (PostgreSQL 14+;
   * a recreated database has statistics of its own), so that a test that connected and left
   * between two sweeps is seen; on older servers only the sweeps' own sightings count.
   */
  private Map<String, HttpLeases.Activity> activityOn(Connection c, List<String> databases) throws SQLException {
    Map<String, HttpLeases.Activity> result = new HashMap<>();
    String sessions = withSessionCounts ? "coalesce((select s.sessions from pg_stat_database s where s.datid = d.oid), 0)"
        : "0";
    try (PreparedStatement ps = c.prepareStatement("select d.datname, (select count(*) from pg_stat_activity a"
        + " where a.datname = d.datname and a.pid <> pg_backend_pid() and coalesce(a.application_name, '') <> ?), "
        + sessions + " from pg_database d where d.datname = any(?)")) {
      ps.setString(1, DatabaseAdmin.APPLICATION_NAME);
      Array names = c.createArrayOf("text", databases.toArray());
      ps.setArray(2, names);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          result.put(rs.getString(1), new HttpLeases.Activity(rs.getInt(2), rs.getLong(3) > 0));
        }
      }
    } catch (SQLException e) {
      if (withSessionCounts && "42703".equals(e.getSQLState())) {
        withSessionCounts = false; // no pg_stat_database.sessions before PostgreSQL 14
        return activityOn(c, databases);
      }
      throw e;
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
