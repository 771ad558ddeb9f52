package io.github.pgisolated.benchmark.suite;

import java.util.Arrays;
import java.util.Locale;

/** How the benchmark suite's tests get their database; chosen per fork JVM with {@code -Dbench.strategy}. */
public enum Strategy {
  /** One shared database, each test in a transaction rolled back after it: no isolation, the baseline. */
  ROLLBACK("rollback", "one shared database, rollback per test (no isolation)"),
  /** {@code @PgIsolated}: a database of its own per test, from the warm pool. */
  PGISOLATED("pgisolated", "@PgIsolated (a database per test, warm pool)"),
  /** {@code CREATE DATABASE … TEMPLATE} before each test and {@code DROP DATABASE} after it, no pool. */
  ON_DEMAND("on-demand", "CREATE DATABASE … TEMPLATE on demand per test, DROP after"),
  /** One database per fork, its tables truncated and the seed inserted again before each test. */
  TRUNCATE("truncate", "truncate and reseed per test (a database per fork)");

  /** The system property a fork JVM reads its strategy from. */
  public static final String PROPERTY = "bench.strategy";

  private final String id;
  private final String description;

  Strategy(String id, String description) {
    this.id = id;
    this.description = description;
  }

  public String id() {
    return id;
  }

  public String description() {
    return description;
  }

  /**
   * The suite classes of this strategy on a workload: the same tests, with the workload's
   * {@code @PgIsolated} or with the manual extension (which reads the workload at run time).
   */
  public String classPrefix(BenchWorkload workload) {
    return this == PGISOLATED ? workload.isolatedPrefix() : ManualOrders.class.getName();
  }

  public static Strategy of(String id) {
    return Arrays.stream(values()).filter(s -> s.id.equals(id.toLowerCase(Locale.ROOT))).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("Unknown " + PROPERTY + " '" + id + "'; one of "
            + Arrays.stream(values()).map(Strategy::id).toList()));
  }

  /** This JVM's strategy. */
  public static Strategy current() {
    String id = System.getProperty(PROPERTY);
    if (id == null) {
      throw new IllegalStateException("Set -D" + PROPERTY + " to one of " + Arrays.stream(values()).map(Strategy::id).toList());
    }
    return of(id);
  }
}
