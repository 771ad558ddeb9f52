package io.github.pgisolated.core.process;

import io.github.pgisolated.core.DatabaseLease;
import io.github.pgisolated.core.PgIsolatedConfig;
import io.github.pgisolated.core.PgIsolatedPool;
import io.github.pgisolated.core.TemplateDefinition;
import io.github.pgisolated.core.internal.engine.PoolEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * A test JVM in miniature, run as a child process by the process tests. It leases databases from
 * the shared pool and proves, inside each database, that it had it to itself: the database must
 * be fresh when leased (no holder row) and still hold only its own row when given back.
 *
 * <p>Arguments: {@code <hash-input> <leases> <hold-millis> <threads>}; configuration from
 * {@code -Dpgisolated.*}. Prints {@code STARTED coordinator=<bool>}, one
 * {@code LEASED <database> <lease ms>} per lease, {@code VIOLATION ...} when a database was not
 * its own, {@code FAILED ...} when a lease or its check failed (with the exceptions closing the
 * lease added, suppressed), and finally
 * {@code DONE leases=<n> violations=<n> p50_ms=.. p99_ms=.. max_ms=..} (violations counting both).
 * A {@code <leases>} of -1 leases once and holds forever (to be killed); 0 leases until the file
 * named by {@code -Dworker.stop-at} exists (the chaos soak). {@code -Dworker.script} names another
 * template script (with a {@code holder} table) than {@code db/ledger.sql}.
 */
public final class LeaseWorker {
  private LeaseWorker() {}

  public static void main(String[] args) throws Exception {
    String hashInput = args[0];
    int leases = Integer.parseInt(args[1]);
    long holdMillis = Long.parseLong(args[2]);
    int threads = Integer.parseInt(args[3]);
    TemplateDefinition template = TemplateDefinition.builder()
        .scripts(System.getProperty("worker.script", "db/ledger.sql")).hashInput(hashInput).build();
    long pid = ProcessHandle.current().pid();
    try (PgIsolatedPool pool = PgIsolatedPool.start(PgIsolatedConfig.fromSystem())) {
      try (DatabaseLease first = pool.lease(template)) {
        String violation = check(first, pid, holdMillis);
        if (violation != null) {
          System.out.println("VIOLATION " + violation);
        }
      }
      System.out.println("STARTED coordinator=" + ((PoolEngine) pool).isCoordinator());
      // Lets a test start several JVMs' leasing at the same moment.
      String startSignal = System.getProperty("worker.start-after");
      while (startSignal != null && !Files.exists(Path.of(startSignal))) {
        Thread.sleep(10);
      }
      if (leases < 0) {
        DatabaseLease held = pool.lease(template);
        try (Connection c = held.dataSource().getConnection(); Statement s = c.createStatement()) {
          s.execute("insert into holder (pid) values (" + pid + ")");
        }
        System.out.println("LEASED " + held.database().databaseName());
        Thread.sleep(Long.MAX_VALUE);
      }
      List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
      List<String> violations = Collections.synchronizedList(new ArrayList<>());
      List<Thread> workers = new ArrayList<>();
      Path stopAt = leases == 0 ? Path.of(System.getProperty("worker.stop-at")) : null;
      for (int t = 0; t < threads; t++) {
        int share = leases / threads + (t < leases % threads ? 1 : 0);
        Thread worker = new Thread(() -> {
          for (int i = 0; stopAt == null ? i < share : !Files.exists(stopAt); i++) {
            long start = System.nanoTime();
            try (DatabaseLease lease = pool.lease(template)) {
              double millis = (System.nanoTime() - start) / 1e6;
              latencies.add(millis);
              System.out.printf(Locale.ROOT, "LEASED %s %.2f%n", lease.database().databaseName(), millis);
              String violation = check(lease, pid, holdMillis);
              if (violation != null) {
                violations.add(violation);
                System.out.println("VIOLATION " + violation);
              }
            } catch (Exception e) {
              violations.add(e.toString());
              StringBuilder failure = new StringBuilder(e.toString());
              for (Throwable suppressed : e.getSuppressed()) {
                failure.append(" [suppressed: ").append(suppressed).append(']');
              }
              System.out.println("FAILED " + failure.toString().replace('\n', ' '));
            }
          }
        });
        worker.start();
        workers.add(worker);
      }
      for (Thread worker : workers) {
        worker.join();
      }
      List<Double> sorted = new ArrayList<>(latencies);
      Collections.sort(sorted);
      System.out.printf(Locale.ROOT, "DONE leases=%d violations=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.1f%n",
          sorted.size(), violations.size(), at(sorted, 0.5), at(sorted, 0.99), at(sorted, 1.0));
      // Lets a test decide when this JVM closes its pool (and hands coordination over).
      String closeSignal = System.getProperty("worker.close-after");
      while (closeSignal != null && !Files.exists(Path.of(closeSignal))) {
        Thread.sleep(20);
      }
    }
  }

  /** Null when this process had the database to itself, else what went wrong. */
  private static String check(DatabaseLease lease, long pid, long holdMillis) throws SQLException, InterruptedException {
    String db = lease.database().databaseName();
    try (Connection c = lease.dataSource().getConnection(); Statement s = c.createStatement()) {
      long before = count(s);
      s.execute("insert into holder (pid) values (" + pid + ")");
      Thread.sleep(holdMillis);
      long after = count(s);
      if (before != 0) {
        return db + " was not fresh: it held " + before + " holder row(s) when leased";
      }
      if (after != 1) {
        return db + " was used by someone else while leased: " + after + " holder rows";
      }
      return null;
    }
  }

  private static long count(Statement s) throws SQLException {
    try (ResultSet rs = s.executeQuery("select count(*) from holder")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static double at(List<Double> sorted, double q) {
    return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1 < 0 ? 0
        : (int) Math.ceil(q * sorted.size()) - 1));
  }
}
