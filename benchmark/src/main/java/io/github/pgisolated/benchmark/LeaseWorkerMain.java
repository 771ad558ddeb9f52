package io.github.pgisolated.benchmark;

import io.github.pgisolated.benchmark.suite.IsolatedOrders;
import io.github.pgisolated.core.PgIsolatedConfig;
import io.github.pgisolated.core.TemplateDefinition;
import io.github.pgisolated.core.internal.engine.PoolEngine;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A child JVM of the 3-JVM lease latency measurement: starts its pool (it finds the benchmark's
 * JVM coordinating and leases through its socket), warms up, says it is ready, waits for the
 * signal so that all JVMs lease at the same time, runs the {@link LeaseLoop} and writes its
 * timings.
 *
 * <p>Arguments: {@code <leases> <suite number> <timings file> <ready file> <go file>}.
 */
public final class LeaseWorkerMain {
  private LeaseWorkerMain() {}

  public static void main(String[] args) throws Exception {
    int leases = Integer.parseInt(args[0]);
    int suite = Integer.parseInt(args[1]);
    Path timings = Path.of(args[2]);
    Path ready = Path.of(args[3]);
    Path go = Path.of(args[4]);
    TemplateDefinition template = TemplateDefinition.builder().scripts(IsolatedOrders.SCHEMA, IsolatedOrders.SEED).build();
    try (PoolEngine pool = PoolEngine.start(PgIsolatedConfig.fromSystem())) {
      LeaseLoop.warmUp(pool, template, suite);
      Files.writeString(ready, "coordinator=" + pool.isCoordinator());
      while (!Files.exists(go)) {
        Thread.sleep(2);
      }
      LeaseLoop.run(pool, template, leases, suite).write(timings);
    }
  }
}
