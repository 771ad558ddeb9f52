package io.github.pgisolated.core.internal.refill;

import io.github.pgisolated.core.PgIsolatedConfig;
import io.github.pgisolated.core.internal.db.DatabaseNames;
import io.github.pgisolated.core.internal.engine.PoolEngine;
import io.github.pgisolated.core.internal.pool.PoolStatistics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The refill after a run: a short-lived process (see {@link RefillLauncher}) that waits until the
 * machine is idle, then refills each template's pool to what the last run needed at its peak,
 * within the disk budget ({@code pgisolated.pool.disk-budget}), and exits. It is a pgisolated JVM
 * like any other: it joins the election, and only when it wins (no run is going on) does it make
 * clones; it closes like a coordinator, so the clones are stamped clean and the next run adopts
 * them ready. When a run has started meanwhile, that run's coordinator does the work and the
 * refill just exits.
 */
public final class RefillMain {
  /**
   * Waits at most this long for an idle machine, then refills anyway; the system property
   * {@code refill.idle-wait-seconds} (seconds) sets it, for tests.
   */
  private static final Duration IDLE_WAIT = Duration.ofSeconds(Long.getLong(RefillLauncher.IDLE_WAIT_PROPERTY, 120));
  /** Gives the pools this long to fill. */
  private static final Duration FILL_TIMEOUT = Duration.ofMinutes(2);

  private RefillMain() {}

  public static void main(String[] args) throws Exception {
    Path planFile = Path.of(args[0]);
    RefillPlan plan = RefillPlan.read(planFile);
    Files.deleteIfExists(planFile);
    log("refill of " + plan.targets() + " waits for an idle machine");
    awaitIdleMachine();
    PgIsolatedConfig config = PgIsolatedConfig.from(plan.config());
    try (PoolEngine engine = PoolEngine.start(config)) {
      if (!engine.takeCoordination()) {
        log("a run is going on (another JVM coordinates): it fills its pools itself; nothing to do");
        return;
      }
      Map<String, Integer> targets = withinBudget(engine, config, plan.targets());
      long deadline = System.nanoTime() + FILL_TIMEOUT.toNanos();
      targets.keySet().forEach(engine::preparePool);
      for (Map.Entry<String, Integer> target : targets.entrySet()) {
        while (System.nanoTime() - deadline < 0) {
          PoolStatistics s = engine.statistics(target.getKey());
          if (s != null && s.ready() >= Math.min(target.getValue(), s.max())) {
            break;
          }
          Thread.sleep(50);
        }
        log("template " + DatabaseNames.template(target.getKey()) + ": " + engine.statistics(target.getKey()));
      }
    }
    log("refilled; done");
  }

  /**
   * The targets that fit the disk budget, most recently used templates first: each clone costs
   * what its template does on disk; the budget is a share of the free space where the embedded
   * server keeps its data, or a fixed size (an external server's disk can't be seen: only a fixed
   * size limits it).
   */
  private static Map<String, Integer> withinBudget(PoolEngine engine, PgIsolatedConfig config,
      Map<String, Integer> targets) throws SQLException, IOException {
    long budget;
    if (config.poolDiskBudget().bytes() > 0) {
      budget = config.poolDiskBudget().bytes();
    } else if (engine.dataDirectory().isPresent()) {
      budget = config.poolDiskBudget().bytesOf(Files.getFileStore(engine.dataDirectory().get()).getUsableSpace());
    } else {
      budget = Long.MAX_VALUE;
    }
    Map<String, Integer> fitting = new LinkedHashMap<>();
    for (Map.Entry<String, Integer> target : targets.entrySet()) {
      long size = engine.admin().sizeOf(DatabaseNames.template(target.getKey()));
      PoolStatistics s = engine.statistics(target.getKey());
      int missing = Math.max(0, target.getValue() - (s == null ? 0 : s.ready()));
      int affordable = size == 0 ? missing : (int) Math.min(missing, budget / size);
      if (affordable > 0) {
        fitting.put(target.getKey(), target.getValue() - missing + affordable);
        budget -= affordable * size;
      }
      if (affordable < missing) {
        log("template " + DatabaseNames.template(target.getKey()) + ": " + affordable + " of " + missing
            + " clones fit pgisolated.pool.disk-budget");
      }
    }
    return fitting;
  }

  /** Waits until the 1-minute load average is below half the cores, at most {@link #IDLE_WAIT}. */
  private static void awaitIdleMachine() throws InterruptedException {
    long deadline = System.nanoTime() + IDLE_WAIT.toNanos();
    // A moment for the build's other JVMs to end.
    Thread.sleep(Math.min(1000, IDLE_WAIT.toMillis()));
    while (System.nanoTime() - deadline < 0) {
      double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
      if (load < 0 || load < Runtime.getRuntime().availableProcessors() / 2.0) {
        return;
      }
      Thread.sleep(2000);
    }
  }

  private static void log(String message) {
    System.out.println(Instant.now() + " pgisolated refill (pid " + ProcessHandle.current().pid() + "): " + message);
  }
}
