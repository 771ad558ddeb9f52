package io.github.pgisolated.cli.internal;

import com.zaxxer.hikari.HikariDataSource;
import io.github.pgisolated.cli.internal.ServerDatabases.Found;
import io.github.pgisolated.core.PgIsolatedConfig;
import io.github.pgisolated.core.PgIsolatedConfig.PostgresSource;
import io.github.pgisolated.core.internal.db.DataSources;
import io.github.pgisolated.core.internal.db.DatabaseAdmin;
import io.github.pgisolated.core.internal.db.DatabaseClaims;
import io.github.pgisolated.core.internal.embedded.EmbeddedPostgres;
import io.github.pgisolated.core.internal.engine.Servers;
import io.github.pgisolated.core.internal.server.PostgresServer;
import io.github.pgisolated.core.internal.server.ServerEndpoint;
import java.io.PrintStream;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code pgisolated clean [--force]}: drops every database pgisolated made on the server (those
 * with its marker: templates, clones, pgmanager databases, kept ones) and nothing else, then stops
 * the embedded server. A database in use (claimed by a running pool, or with sessions) is left and
 * named, and the server keeps running, unless {@code --force}.
 */
final class CleanCommand {
  private CleanCommand() {}

  static int run(Settings settings, PrintStream out) throws Exception {
    PgIsolatedConfig config = PgIsolatedConfig.from(settings.coreSettings());
    List<String> inUse = new ArrayList<>();
    long freed = 0;
    int dropped = 0;
    try (PostgresServer server = Servers.start(config)) {
      ServerEndpoint endpoint = server.endpoint();
      try (Connection c = DataSources.connect(endpoint, endpoint.maintenanceDatabase());
          HikariDataSource adminPool = DataSources.pool(endpoint, endpoint.maintenanceDatabase(), 2, "pgisolated-clean",
              DatabaseAdmin.APPLICATION_NAME);
          DatabaseClaims claims = new DatabaseClaims(() -> connect(endpoint))) {
        DatabaseAdmin admin = new DatabaseAdmin(adminPool, endpoint.majorVersion(), config.cloneStrategy());
        for (Found f : ServerDatabases.list(c)) {
          boolean claimed = claims.tryClaim(f.name());
          if (!settings.force() && (!claimed || f.holdsLease() || f.sessions() > 0)) {
            inUse.add(f.name());
          } else {
            admin.dropTemplate(f.name());
            freed += f.bytes();
            dropped++;
          }
          if (claimed) {
            claims.release(f.name());
          }
        }
      }
    }
    out.println("Dropped " + dropped + " pgisolated database(s), " + ServerDatabases.megabytes(freed) + " freed.");
    if (!inUse.isEmpty()) {
      out.println("Left " + inUse.size() + " in use by running tests or a pgisolated serve: " + String.join(", ", inUse)
          + ". Stop them and run clean again, or clean --force (which also ends their sessions).");
      return 1;
    }
    if (config.postgres() == PostgresSource.EMBEDDED) {
      boolean stopped = EmbeddedPostgres.stop(Servers.embeddedSettings(config));
      out.println(stopped ? "Stopped the embedded PostgreSQL." : "The embedded PostgreSQL was not running.");
    }
    return 0;
  }

  private static Connection connect(ServerEndpoint endpoint) {
    try {
      return DataSources.connect(endpoint, endpoint.maintenanceDatabase());
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("Could not connect to " + endpoint + ": " + e.getMessage(), e);
    }
  }
}
