package io.github.pgisolated.benchmark;

import io.github.pgisolated.benchmark.Stats.Summary;
import io.github.pgisolated.benchmark.suite.BenchWorkload;
import io.github.pgisolated.benchmark.suite.Strategy;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every figure of one benchmark run, and how it is shown: the markdown tables, the SVG chart, the
 * targets and the last line.
 *
 * @param date the day the run started
 * @param workloads the suite run four ways, per workload
 * @param cores the small suite's wall times (s, one per round) with everything pinned to the CPUs
 *     of the key ({@code "0"}, {@code "0,1"}), for rollback and @PgIsolated; empty when not measured
 */
record Results(LocalDate date, String machine, String load, String server, String settings, Leases oneJvm,
    Leases threeJvms, Recycle recycle, ServerCosts costs, Map<BenchWorkload, Suite> workloads, int testsPerRun,
    Start start, Map<String, Map<Strategy, List<Double>>> cores) {

  /** The fork counts the suite runs with. */
  static final int[] FORKS = {1, 3};

  /**
   * One workload's suite runs.
   *
   * @param wall wall times in seconds, one per round, by fork count (1 or 3) and strategy
   * @param phases where the suite's time went, by fork count and strategy (may be empty)
   * @param reports what the @PgIsolated runs' JVMs reported, by fork count, summed over the rounds
   */
  record Suite(Map<Integer, Map<Strategy, List<Double>>> wall, Map<Integer, Map<Strategy, Phases.Summary>> phases,
      Map<Integer, ForkReports> reports) {

    double median(Strategy strategy, int forks) {
      return Stats.median(wall.get(forks).get(strategy));
    }

    double ratio(Strategy over, Strategy under, int forks) {
      return median(over, forks) / median(under, forks);
    }

    /** The worse of the two fork counts: the larger when {@code larger}, else the smaller. */
    double worst(Strategy over, Strategy under, boolean larger) {
      double a = ratio(over, under, FORKS[0]);
      double b = ratio(over, under, FORKS[1]);
      return larger ? Math.max(a, b) : Math.min(a, b);
    }
  }

  /**
   * What the forks of the @PgIsolated runs reported (their run reports), summed.
   *
   * @param reasons why databases were recreated rather than reset in place, with counts
   */
  record ForkReports(long resets, long unchanged, Map<String, Integer> reasons) {
    long recreations() {
      return reasons.values().stream().mapToLong(Integer::longValue).sum();
    }

    ForkReports plus(ForkReports other) {
      Map<String, Integer> all = new TreeMap<>(reasons);
      other.reasons.forEach((k, v) -> all.merge(k, v, Integer::sum));
      return new ForkReports(resets + other.resets, unchanged + other.unchanged, all);
    }

    static ForkReports none() {
      return new ForkReports(0, 0, Map.of());
    }
  }

  /**
   * Lease latency on a warm pool, per lease, in ms.
   *
   * @param total from the start of the test's setup to a usable DataSource with its first connection
   * @param lease {@code lease()} and {@code dataSource()}: the part before the first connection
   * @param connection the first {@code getConnection()}
   * @param giveBack closing the lease on the test's thread
   */
  record Leases(int jvms, Summary total, Summary lease, Summary connection, Summary giveBack) {}

  /**
   * The coordinator's clone work against the raw SQL, in ms.
   *
   * @param recreations clones made (a used clone is replaced by a new one under a free name)
   * @param drops used clones dropped while the coordinator was idle
   */
  record Recycle(long recreations, double q50, double max, long waits, double waitQ50, double waitMax, long drops,
      double dropQ50) {}

  /** The raw clone's q50 in ms, the floor of a recreation. */
  double rawCloneQ50() {
    return Stats.quantile(costs.create(), 0.5);
  }

  /** Time to first test, in ms: JVM start to first database leased, and the wall time of a one-test run. */
  record Start(double coldFirstLease, double coldWall, double warmFirstLease, double warmWall, int warmRuns) {}

  /** A target of the speed issue. */
  record Target(String name, String goal, String measured, boolean met) {}

  Suite small() {
    return workloads.get(BenchWorkload.SMALL);
  }

  /** b/a on the small workload, the cost of isolation: the worse (larger) of the two fork counts. */
  double overhead() {
    return small().worst(Strategy.PGISOLATED, Strategy.ROLLBACK, true);
  }

  /** c/b on the small workload: the worse (smaller) of the two fork counts. */
  double vsOnDemand() {
    return small().worst(Strategy.ON_DEMAND, Strategy.PGISOLATED, false);
  }

  /** d/b on the small workload: the worse (smaller) of the two fork counts. */
  double vsTruncate() {
    return small().worst(Strategy.TRUNCATE, Strategy.PGISOLATED, false);
  }

  /** d/b on the large workload, the worse of the two fork counts; NaN when it did not run. */
  double vsTruncateLarge() {
    Suite large = workloads.get(BenchWorkload.LARGE);
    return large == null ? Double.NaN : large.worst(Strategy.TRUNCATE, Strategy.PGISOLATED, false);
  }

  /** c/b on the DDL-heavy workload, the worse of the two fork counts; NaN when it did not run. */
  double vsOnDemandDdl() {
    Suite ddl = workloads.get(BenchWorkload.DDL);
    return ddl == null ? Double.NaN : ddl.worst(Strategy.ON_DEMAND, Strategy.PGISOLATED, false);
  }

  /** Resets in place in all measured @PgIsolated runs. */
  long resetsInPlace() {
    return workloads.values().stream().flatMap(w -> w.reports().values().stream()).mapToLong(ForkReports::resets).sum();
  }

  List<Target> targets() {
    List<Target> targets = new ArrayList<>();
    targets.add(new Target("overhead (b/a), small, worse of 1 and 3 forks", "≤ 1.3", f2(overhead()), overhead() <= 1.3));
    targets.add(new Target("vs truncate (d/b), small", "≥ 1.0", f2(vsTruncate()), vsTruncate() >= 1.0));
    targets.add(new Target("vs truncate (d/b), large", "≥ 2", f2(vsTruncateLarge()), vsTruncateLarge() >= 2));
    targets.add(new Target("vs on demand (c/b), small", "≥ 4", f2(vsOnDemand()), vsOnDemand() >= 4));
    targets.add(new Target("vs on demand (c/b), DDL-heavy", "≥ 2", f2(vsOnDemandDdl()), vsOnDemandDdl() >= 2));
    targets.add(new Target("recreation q50 against a raw clone", "≤ 1.2 × (" + f1(1.2 * rawCloneQ50()) + " ms)",
        f1(recycle.q50()) + " ms (" + f2(recycle.q50() / rawCloneQ50()) + " ×)", recycle.q50() <= 1.2 * rawCloneQ50()));
    for (Leases l : List.of(oneJvm, threeJvms)) {
      targets.add(new Target("lease p50 / p99 incl. first connection, " + l.jvms() + " JVM" + (l.jvms() > 1 ? "s" : ""),
          "≤ 1 ms / ≤ 10 ms", f2(l.total().p50()) + " / " + f2(l.total().p99()) + " ms",
          l.total().p50() <= 1 && l.total().p99() <= 10));
    }
    targets.add(new Target("warm start", "≤ 1000 ms", Math.round(start.warmFirstLease()) + " ms",
        start.warmFirstLease() <= 1000));
    return targets;
  }

  /** The issue's one-line summary, printed last. */
  String lastLine() {
    return String.format(Locale.ROOT, "pgisolated-bench: overhead=%.2f lease_p50_ms=%.2f lease_p99_ms=%.2f "
        + "recycle_q50_ms=%.1f raw_clone_q50_ms=%.1f vs_on_demand=%.2f vs_truncate=%.2f vs_truncate_large=%.2f "
        + "vs_on_demand_ddl=%.2f resets_in_place=%d cold_start_ms=%d warm_start_ms=%d", overhead(),
        oneJvm.total().p50(), oneJvm.total().p99(), recycle.q50(), rawCloneQ50(), vsOnDemand(), vsTruncate(),
        vsTruncateLarge(), vsOnDemandDdl(), resetsInPlace(), Math.round(start.coldFirstLease()),
        Math.round(start.warmFirstLease()));
  }

  String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("## pgisolated benchmark, ").append(date).append(", ").append(machine).append("\n\n");
    md.append(server).append("; ").append(settings).append("; ").append(load).append(".\n\n");
    new ResultsMarkdown(this, md).write();
    return md.toString();
  }

  /** The chart of one workload's suite: four ways, 1 and 3 forks. */
  String chart(BenchWorkload workload) {
    Suite suite = workloads.get(workload);
    List<String> categories = new ArrayList<>();
    double[][] values = new double[order().size()][FORKS.length];
    char letter = 'a';
    for (Strategy s : order()) {
      categories.add("(" + letter++ + ") " + shortName(s));
      for (int f = 0; f < FORKS.length; f++) {
        values[categories.size() - 1][f] = suite.median(s, FORKS[f]);
      }
    }
    return SvgChart.render(testsPerRun + " tests, " + workload.id() + " workload, four ways: wall time (lower is better)",
        date + ", " + machine.replaceFirst(" \\(.*", "") + ", median of " + rounds() + " rounds; @PgIsolated over "
            + "no isolation: " + f2(suite.worst(Strategy.PGISOLATED, Strategy.ROLLBACK, true)) + " ×",
        categories, List.of("1 fork", "3 forks"), values, "seconds");
  }

  int rounds() {
    return small().wall().get(FORKS[0]).get(Strategy.ROLLBACK).size();
  }

  static List<Strategy> order() {
    return List.of(Strategy.ROLLBACK, Strategy.PGISOLATED, Strategy.ON_DEMAND, Strategy.TRUNCATE);
  }

  static String shortName(Strategy s) {
    switch (s) {
      case ROLLBACK:
        return "rollback (no isolation)";
      case PGISOLATED:
        return "@PgIsolated";
      case ON_DEMAND:
        return "clone on demand";
      default:
        return "truncate + reseed";
    }
  }

  /** An empty map of wall times to fill, by fork count then strategy. */
  static Map<Integer, Map<Strategy, List<Double>>> emptyWall() {
    Map<Integer, Map<Strategy, List<Double>>> wall = new TreeMap<>();
    for (int forks : FORKS) {
      Map<Strategy, List<Double>> byStrategy = new EnumMap<>(Strategy.class);
      for (Strategy s : Strategy.values()) {
        byStrategy.put(s, new ArrayList<>());
      }
      wall.put(forks, byStrategy);
    }
    return wall;
  }

  static String f1(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  static String f2(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }
}
