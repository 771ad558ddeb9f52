package io.github.pgisolated.cli.internal;

import io.github.pgisolated.cli.internal.ServerDatabases.Found;
import io.github.pgisolated.cli.internal.ServerDatabases.Role;
import io.github.pgisolated.core.PgIsolatedConfig;
import io.github.pgisolated.core.internal.coordinator.CoordinatorDirectory;
import io.github.pgisolated.core.internal.coordinator.CoordinatorUnavailableException;
import io.github.pgisolated.core.internal.coordinator.LeaseSocketClient;
import io.github.pgisolated.core.internal.db.DataSources;
import io.github.pgisolated.core.internal.engine.PoolEngine;
import io.github.pgisolated.core.internal.engine.Servers;
import io.github.pgisolated.core.internal.server.PostgresServer;
import io.github.pgisolated.core.internal.server.ServerEndpoint;
import java.io.PrintStream;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code pgisolated status}: the server, the coordinator's pools and leases (its STATUS answer,
 * without joining the election), and every template, clone, pgmanager database and kept database
 * on the server, with the disk they use.
 */
final class StatusCommand {
  private StatusCommand() {}

  static int run(Settings settings, PrintStream out) throws Exception {
    PgIsolatedConfig config = PgIsolatedConfig.from(settings.coreSettings());
    try (PostgresServer server = Servers.start(config)) {
      ServerEndpoint endpoint = server.endpoint();
      out.println("server:      " + endpoint.description());
      CoordinatorDirectory directory = PoolEngine.coordinatorDirectory(config, server);
      out.println("coordinator: " + coordinatorStatus(directory));
      List<Found> found;
      try (Connection c = DataSources.connect(endpoint, endpoint.maintenanceDatabase())) {
        found = ServerDatabases.list(c);
      }
      Map<String, int[]> clonesByHash = new TreeMap<>();
      for (Found f : found) {
        if (f.role() == Role.CLONE) {
          int[] counts = clonesByHash.computeIfAbsent(f.hash(), h -> new int[2]);
          counts[0]++;
          counts[1] += f.holdsLease() ? 1 : 0;
        }
      }
      long total = 0;
      out.println("templates:");
      for (Found f : found) {
        total += f.bytes();
        if (f.role().name().startsWith("TEMPLATE")) {
          int[] clones = clonesByHash.getOrDefault(f.hash(), new int[2]);
          out.printf("  %s  %-8s %9s  %d clone(s), %d leased%n", f.name(), f.role().name().substring(9).toLowerCase(),
              ServerDatabases.megabytes(f.bytes()), clones[0], clones[1]);
        }
      }
      print(out, "pgmanager databases:", found, Role.PGMANAGER);
      print(out, "kept for debugging:", found, Role.KEPT);
      long leased = found.stream().filter(Found::holdsLease).count();
      out.println("leases:      " + leased + " database(s) held by a test or a client right now");
      out.println("disk used:   " + ServerDatabases.megabytes(total) + " in " + found.size() + " pgisolated database(s)");
    }
    return 0;
  }

  private static void print(PrintStream out, String title, List<Found> found, Role role) {
    List<Found> these = found.stream().filter(f -> f.role() == role).toList();
    if (!these.isEmpty()) {
      out.println(title);
      these.forEach(f -> out.printf("  %s  %9s  %s%n", f.name(), ServerDatabases.megabytes(f.bytes()),
          f.holdsLease() || f.sessions() > 0 ? "in use (" + f.sessions() + " session(s))" : "free"));
    }
  }

  private static String coordinatorStatus(CoordinatorDirectory directory) {
    if (directory == null) {
      return "none (coordination is off for this server)";
    }
    try (LeaseSocketClient client = new LeaseSocketClient(directory)) {
      return client.status() + " (socket " + directory.socketFile() + ")";
    } catch (CoordinatorUnavailableException e) {
      return "none running (no JVM or serve uses the pool now; socket " + directory.socketFile() + ")";
    }
  }
}
