package io.github.pgisolated.cli;

import io.github.pgisolated.cli.IntegreSqlClient.Response;
import io.github.pgisolated.core.PgIsolatedConfig;
import io.github.pgisolated.core.internal.coordinator.LeaseService.Disposition;
import io.github.pgisolated.core.internal.coordinator.LeaseService.Holder;
import io.github.pgisolated.core.internal.coordinator.LeaseService.Lease;
import io.github.pgisolated.core.internal.coordinator.LeaseSocketClient;
import io.github.pgisolated.core.internal.engine.PoolEngine;
import io.github.pgisolated.core.internal.engine.Servers;
import io.github.pgisolated.core.internal.server.PostgresServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The lease latency of {@code pgisolated serve}'s IntegreSQL API next to the coordinator's socket
 * and the pgmanager socket, on a warm pool, one client at a time, measured from this JVM against a
 * serve child process (the coordinator). Not part of {@code mvn verify} (its name does not end in
 * Tests); run it with
 *
 * <pre>{@code
 * mvn -B verify -pl cli -am -Dtest=HttpLeaseLatencyBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * }</pre>
 *
 * <p>It prints, per way of leasing, p50/p99/max of the time from asking to having a database name
 * (the HTTP GET's whole round trip; the socket's LEASE to LEASED; pgmanager's connect to OK), with
 * the database given back unchanged after each (unlock, RETURN UNCHANGED), so that no lease waits
 * for a recreation; and the HTTP GET again with a recreate after each, where leases do wait.
 */
class HttpLeaseLatencyBenchmark {
  private static final int WARMUP = 200;
  private static final int LEASES = Integer.getInteger("bench.leases", 2000);

  @Test
  void printsTheLeaseLatencyOfEachProtocol() throws Exception {
    Path socket = Files.createTempDirectory("bench").resolve("pgm.sock");
    try (ServeFixture serve = ServeFixture.start(Map.of("PGM_DATABASE_PREFIX", "bench_cli_", "PGM_DATABASE_COUNT", "4",
        "INTEGRESQL_TEST_INITIAL_POOL_SIZE", "4", "INTEGRESQL_TEST_MAX_POOL_SIZE", "8"), "--pgmanager-socket",
        socket.toString())) {
      IntegreSqlClient api = serve.client();
      String clientHash = "lease-latency-benchmark";
      Response init = api.initialize(clientHash);
      if (init.status() == 200) {
        try (java.sql.Connection c = init.connect()) {
          c.createStatement().execute("create table t (x int)");
        }
        api.finalizeTemplate(clientHash);
      }
      System.out.printf("pgisolated-cli lease latency, %d leases each after %d warm-up, one client at a time, %s%n",
          LEASES, WARMUP, serve.env.get("PGHOST") + ":" + serve.env.get("PGPORT"));
      System.out.printf("| way of leasing | p50 ms | p99 ms | max ms |%n|---|---|---|---|%n");

      report("IntegreSQL HTTP: GET …/tests, then unlock (warm pool)", time(() -> {
        Response r = api.get(clientHash);
        return () -> api.unlock(clientHash, r.number("id"));
      }));

      PgIsolatedConfig config = PgIsolatedConfig.from(Map.of());
      try (PostgresServer server = Servers.start(config);
          LeaseSocketClient coordinator = new LeaseSocketClient(PoolEngine.coordinatorDirectory(config, server))) {
        String hash = pgisolatedHash(clientHash);
        Holder holder = new Holder(ProcessHandle.current().pid(), "benchmark");
        report("coordinator socket: LEASE, then RETURN UNCHANGED (warm pool)", time(() -> {
          Lease lease = coordinator.lease(hash, Duration.ofSeconds(30), holder);
          return () -> coordinator.giveBack(lease, Disposition.UNCHANGED);
        }));
      }

      report("pgmanager socket: connect to OK:<name>, then close (recreated)", time(() -> {
        PgManagerClient client = PgManagerClient.connect(socket);
        client.leaseInOneRead();
        return client::close;
      }));

      report("IntegreSQL HTTP: GET …/tests, then recreate (leases wait for recreations)", time(() -> {
        Response r = api.get(clientHash);
        return () -> api.recreate(clientHash, r.number("id"));
      }));
      api.discard(clientHash);
    }
  }

  interface Lease1 {
    Closer lease() throws Exception;
  }

  interface Closer {
    void close() throws Exception;
  }

  private static double[] time(Lease1 lease) throws Exception {
    double[] millis = new double[LEASES];
    for (int i = 0; i < WARMUP + LEASES; i++) {
      long start = System.nanoTime();
      Closer back = lease.lease();
      long took = System.nanoTime() - start;
      back.close();
      if (i >= WARMUP) {
        millis[i - WARMUP] = took / 1e6;
      }
    }
    Arrays.sort(millis);
    return millis;
  }

  private static void report(String what, double[] sorted) {
    System.out.printf("| %s | %.2f | %.2f | %.1f |%n", what, sorted[sorted.length / 2],
        sorted[(int) Math.ceil(sorted.length * 0.99) - 1], sorted[sorted.length - 1]);
  }

  private static String pgisolatedHash(String clientHash) throws Exception {
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(("integresql:" + clientHash).getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(digest, 0, 8);
  }
}
