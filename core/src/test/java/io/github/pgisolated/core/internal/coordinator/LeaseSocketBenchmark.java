package io.github.pgisolated.core.internal.coordinator;

import io.github.pgisolated.core.internal.coordinator.LeaseService.Holder;
import io.github.pgisolated.core.internal.coordinator.LeaseService.Lease;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How long a lease and its return take through the socket (connect, LEASE, LEASED, RETURN,
 * RETURNED, close), with an in-memory pool behind it. Prints, asserts nothing; not part of the
 * normal build (Surefire runs {@code *Tests}): run it with {@code -Dtest=LeaseSocketBenchmark}.
 */
class LeaseSocketBenchmark {

  private static final int WARM_UP = 500;
  private static final int MEASURED = 2000;

  @TempDir
  Path temp;

  @Test
  void sequentialLeaseAndReturn() {
    try (TestCoordinator coordinator = TestCoordinator.start(temp, 4);
        LeaseSocketClient client = new LeaseSocketClient(coordinator.directory)) {
      Holder holder = new Holder(ProcessHandle.current().pid(), "benchmark");
      for (int i = 0; i < WARM_UP; i++) {
        client.giveBack(client.lease(FakeLeaseService.HASH, Duration.ofSeconds(5), holder));
      }
      long[] nanos = new long[MEASURED];
      for (int i = 0; i < MEASURED; i++) {
        long began = System.nanoTime();
        Lease lease = client.lease(FakeLeaseService.HASH, Duration.ofSeconds(5), holder);
        client.giveBack(lease);
        nanos[i] = System.nanoTime() - began;
      }
      Arrays.sort(nanos);
      System.out.printf("LeaseSocketBenchmark: %d sequential lease+return round trips: "
              + "p50 %.1f us, p90 %.1f us, p99 %.1f us, max %.1f us%n", MEASURED,
          micros(nanos, 0.50), micros(nanos, 0.90), micros(nanos, 0.99),
          nanos[MEASURED - 1] / 1000.0);
    }
  }

  private static double micros(long[] sorted, double quantile) {
    return sorted[(int) Math.ceil(quantile * sorted.length) - 1] / 1000.0;
  }
}
