package io.github.pgisolated.core;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Lease latency on a warm pool, as one test thread sees it: {@code lease()} alone, then the
 * first connection, then a little work and the give-back. Prints figures, asserts nothing about
 * speed. Run with:
 *
 * <pre>mvn -pl core test -Dtest=LeaseLatencyBenchmark -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
class LeaseLatencyBenchmark {
  private static final int LEASES = Integer.getInteger("bench.leases", 1000);

  @Test
  void leaseLatencyOnAWarmPool() throws Exception {
    TemplateDefinition template = TemplateDefinition.builder().scripts("db/shop.sql").hashInput("lease-benchmark").build();
    try (PgIsolatedPool pool = PgIsolatedPool.start(TestPostgres.config(Map.of("pgisolated.pool.max-size", "32")))) {
      try (DatabaseLease warmUp = pool.lease(template)) {
        warmUp.database();
      }
      List<Double> lease = new ArrayList<>();
      List<Double> firstConnection = new ArrayList<>();
      List<Double> release = new ArrayList<>();
      long startAll = System.nanoTime();
      for (int i = 0; i < LEASES; i++) {
        long t0 = System.nanoTime();
        DatabaseLease l = pool.lease(template);
        long t1 = System.nanoTime();
        try (Connection c = l.dataSource().getConnection(); Statement s = c.createStatement()) {
          long t2 = System.nanoTime();
          s.execute("insert into customer (name) values ('bench')");
          lease.add((t1 - t0) / 1e6);
          firstConnection.add((t2 - t1) / 1e6);
        }
        long t3 = System.nanoTime();
        l.release();
        release.add((System.nanoTime() - t3) / 1e6);
        // A test's own work takes time too; without it this loop measures only how fast the
        // background workers recreate clones.
        Thread.sleep(20);
      }
      double seconds = (System.nanoTime() - startAll) / 1e9;
      System.out.println("server: " + pool.serverDescription());
      print("lease()", lease);
      print("first connection", firstConnection);
      print("release()", release);
      System.out.printf(Locale.ROOT, "%d leases in %.1f s%n", LEASES, seconds);
      TestPostgres.dropDatabasesOf(pool, List.of(((io.github.pgisolated.core.internal.engine.PoolEngine) pool).templateHash(template)));
    }
  }

  @Test
  void leaseLatencyThroughTheCoordinatorsSocket(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    TemplateDefinition template = TemplateDefinition.builder().scripts("db/shop.sql").hashInput("socket-benchmark").build();
    Map<String, String> shared = Map.of("pgisolated.coordinator.directory", dir.toString(), "pgisolated.pool.max-size", "32");
    try (PgIsolatedPool coordinator = PgIsolatedPool.start(TestPostgres.config(shared));
        PgIsolatedPool client = PgIsolatedPool.start(TestPostgres.config(shared))) {
      try (DatabaseLease first = coordinator.lease(template); DatabaseLease warmUp = client.lease(template)) {
        warmUp.database();
        first.database();
      }
      List<Double> lease = new ArrayList<>();
      List<Double> release = new ArrayList<>();
      for (int i = 0; i < LEASES; i++) {
        long t0 = System.nanoTime();
        DatabaseLease l = client.lease(template);
        long t1 = System.nanoTime();
        lease.add((t1 - t0) / 1e6);
        l.release();
        release.add((System.nanoTime() - t1) / 1e6);
        Thread.sleep(20);
      }
      System.out.println("through the socket of " + coordinator.serverDescription());
      print("lease()", lease);
      print("release()", release);
      TestPostgres.dropDatabasesOf(coordinator, List.of(((io.github.pgisolated.core.internal.engine.PoolEngine) coordinator).templateHash(template)));
    }
  }

  private static void print(String what, List<Double> values) {
    System.out.printf(Locale.ROOT, "%-17s p50 %7.3f ms  p95 %7.3f ms  p99 %7.3f ms  max %7.3f ms%n", what,
        CloneStrategyBenchmark.percentile(values, 50), CloneStrategyBenchmark.percentile(values, 95),
        CloneStrategyBenchmark.percentile(values, 99), CloneStrategyBenchmark.percentile(values, 100));
  }
}
