package io.github.pgisolated.benchmark;

import io.github.pgisolated.benchmark.Stats.Summary;
import io.github.pgisolated.benchmark.suite.Strategy;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every figure of one benchmark run, and how it is shown: the markdown tables, the SVG chart, the
 * targets and the last line.
 *
 * @param date the day the run started
 * @param suite wall times in seconds, one per round, by fork count (1 or 3) and strategy
 * @param phases where the suite's time went, by fork count and strategy (may be empty)
 */
record Results(LocalDate date, String machine, String load, String server, String settings, Leases oneJvm,
    Leases threeJvms, Recycle recycle, ServerCosts costs, Map<Integer, Map<Strategy, List<Double>>> suite,
    Map<Integer, Map<Strategy, Phases.Summary>> phases, int testsPerRun, Start start) {

  /** The fork counts the suite runs with. */
  static final int[] FORKS = {1, 3};

  /**
   * Lease latency on a warm pool, per lease, in ms.
   *
   * @param total from the start of the test's setup to a usable DataSource with its first connection
   * @param lease {@code lease()} and {@code dataSource()}: the part before the first connection
   * @param connection the first {@code getConnection()}
   * @param giveBack closing the lease on the test's thread
   */
  record Leases(int jvms, Summary total, Summary lease, Summary connection, Summary giveBack) {}

  /** Background recreation against the raw SQL, in ms. */
  record Recycle(long recreations, double q50, double max, long waits, double waitQ50, double waitMax) {}

  /** The raw clone's q50 in ms, the floor of a recreation. */
  double rawCloneQ50() {
    return Stats.quantile(costs.create(), 0.5);
  }

  /** Time to first test, in ms: JVM start to first database leased, and the wall time of a one-test run. */
  record Start(double coldFirstLease, double coldWall, double warmFirstLease, double warmWall, int warmRuns) {}

  /** A target of issue 5. */
  record Target(String name, String goal, String measured, boolean met) {}

  /** The median wall time in seconds of one strategy with a fork count. */
  double median(Strategy strategy, int forks) {
    return Stats.median(suite.get(forks).get(strategy));
  }

  double ratio(Strategy over, Strategy under, int forks) {
    return median(over, forks) / median(under, forks);
  }

  /** b/a, the cost of isolation: the worse (larger) of the two fork counts. */
  double overhead() {
    return worst(Strategy.PGISOLATED, Strategy.ROLLBACK, true);
  }

  /** c/b: the worse (smaller) of the two fork counts. */
  double vsOnDemand() {
    return worst(Strategy.ON_DEMAND, Strategy.PGISOLATED, false);
  }

  /** d/b: the worse (smaller) of the two fork counts. */
  double vsTruncate() {
    return worst(Strategy.TRUNCATE, Strategy.PGISOLATED, false);
  }

  private double worst(Strategy over, Strategy under, boolean larger) {
    double a = ratio(over, under, FORKS[0]);
    double b = ratio(over, under, FORKS[1]);
    return larger ? Math.max(a, b) : Math.min(a, b);
  }

  List<Target> targets() {
    List<Target> targets = new ArrayList<>();
    targets.add(new Target("overhead (b/a)", "≤ 1.15", f2(overhead()), overhead() <= 1.15));
    targets.add(new Target("lease p50, incl. first connection", "≤ 1 ms", f2(oneJvm.total().p50()) + " ms",
        oneJvm.total().p50() <= 1));
    targets.add(new Target("lease p99, incl. first connection", "≤ 10 ms", f2(oneJvm.total().p99()) + " ms",
        oneJvm.total().p99() <= 10));
    targets.add(new Target("recycle q50", "≤ 1.2 × raw clone (" + f1(1.2 * rawCloneQ50()) + " ms)",
        f1(recycle.q50()) + " ms (" + f2(recycle.q50() / rawCloneQ50()) + " ×)",
        recycle.q50() <= 1.2 * rawCloneQ50()));
    targets.add(new Target("vs on demand (c/b)", "≥ 2", f2(vsOnDemand()), vsOnDemand() >= 2));
    targets.add(new Target("warm start", "≤ 1000 ms", Math.round(start.warmFirstLease()) + " ms",
        start.warmFirstLease() <= 1000));
    return targets;
  }

  /** The issue's one-line summary, printed last. */
  String lastLine() {
    return String.format(Locale.ROOT, "pgisolated-bench: overhead=%.2f lease_p50_ms=%.2f lease_p99_ms=%.2f "
        + "recycle_q50_ms=%.1f raw_clone_q50_ms=%.1f vs_on_demand=%.2f vs_truncate=%.2f cold_start_ms=%d "
        + "warm_start_ms=%d", overhead(), oneJvm.total().p50(), oneJvm.total().p99(), recycle.q50(),
        rawCloneQ50(), vsOnDemand(), vsTruncate(), Math.round(start.coldFirstLease()),
        Math.round(start.warmFirstLease()));
  }

  String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("## pgisolated benchmark, ").append(date).append(", ").append(machine).append("\n\n");
    md.append(server).append("; ").append(settings).append("; ").append(load).append(".\n\n");

    md.append("**1. Lease latency, warm pool** (ms; ").append(oneJvm.total().count())
        .append(" leases in 1 JVM, ").append(threeJvms.total().count())
        .append(" across 3 JVMs leasing through the coordinator's socket; each lease followed by one test's work)\n\n");
    md.append("| per lease | JVMs | p50 | p95 | p99 | max |\n|---|---|---|---|---|---|\n");
    for (Leases l : List.of(oneJvm, threeJvms)) {
      row(md, "**setup start → usable DataSource with its first connection**", l.jvms(), l.total(), true);
      row(md, "of which `lease()` + `dataSource()`", l.jvms(), l.lease(), false);
      row(md, "of which the first `getConnection()`", l.jvms(), l.connection(), false);
      row(md, "giving the database back (test's thread)", l.jvms(), l.giveBack(), false);
    }

    md.append("\n**2. Recycle cost** (ms, same server, same template, same run)\n\n");
    md.append("| what | n | q50 | max |\n|---|---|---|---|\n");
    md.append(String.format(Locale.ROOT, "| background recreation: drop + clone (coordinator's run report) | %d | %.1f | %.1f |%n",
        recycle.recreations(), recycle.q50(), recycle.max()));
    raw(md, "raw `CREATE DATABASE … TEMPLATE … STRATEGY FILE_COPY`, one at a time, pool idle", costs.create());
    raw(md, "raw `DROP DATABASE … WITH (FORCE)` of that clone, right after the profile's sessions on it closed", costs.drop());
    raw(md, "raw clone, two at a time (as the pool's 2 workers)", costs.parallelClone());
    md.append(String.format(Locale.ROOT, "| leases that found no ready clone and waited (run report) | %d | %.1f | %.1f |%n",
        recycle.waits(), recycle.waitQ50(), recycle.waitMax()));

    md.append("\n**Profile: a test on a new database, plain pgjdbc, no pgisolated** (ms, pool idle)\n\n");
    md.append("| what | n | q50 | max |\n|---|---|---|---|\n");
    raw(md, "connect + `select 1` to a database just cloned", costs.firstConnect());
    raw(md, "connect + `select 1` to it again", costs.secondConnect());
    raw(md, "one test's work, first on that new database (cold caches)", costs.coldWork());
    raw(md, "the same work again on the same connection (warm caches)", costs.warmWork());

    int rounds = suite.get(FORKS[0]).get(Strategy.ROLLBACK).size();
    md.append("\n**3. The suite, four ways** (").append(testsPerRun).append(" tests; wall time of the whole run "
        + "in s, from starting the test JVMs to the last one's exit; median of ").append(rounds)
        .append(" rounds, min–max in brackets)\n\n");
    md.append("| strategy | 1 fork | 3 forks |\n|---|---|---|\n");
    char letter = 'a';
    for (Strategy s : order()) {
      md.append("| (").append(letter++).append(") ").append(s.description());
      for (int forks : FORKS) {
        List<Double> runs = suite.get(forks).get(s);
        md.append(String.format(Locale.ROOT, " | %.2f (%.2f–%.2f)", median(s, forks),
            runs.stream().mapToDouble(Double::doubleValue).min().orElse(0),
            runs.stream().mapToDouble(Double::doubleValue).max().orElse(0)));
      }
      md.append(" |\n");
    }
    md.append("\n| ratio | 1 fork | 3 forks | headline (the worse) |\n|---|---|---|---|\n");
    ratioRow(md, "b/a: @PgIsolated over no isolation", Strategy.PGISOLATED, Strategy.ROLLBACK, overhead());
    ratioRow(md, "c/b: on-demand clone over @PgIsolated", Strategy.ON_DEMAND, Strategy.PGISOLATED, vsOnDemand());
    ratioRow(md, "d/b: truncate and reseed over @PgIsolated", Strategy.TRUNCATE, Strategy.PGISOLATED, vsTruncate());

    if (!phases.isEmpty()) {
      md.append("\n**Where the suite's time goes** (ms; per test: the mean over all tests of all rounds; per fork JVM: "
          + "the median)\n\n");
      md.append("| strategy | forks | JVM start → first test | setup (before the body) | first connection | work "
          + "| teardown | per test | last test → JVM end |\n|---|---|---|---|---|---|---|---|---|\n");
      for (int forks : FORKS) {
        for (Strategy s : order()) {
          Phases.Summary p = phases.getOrDefault(forks, Map.of()).get(s);
          if (p != null) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f |%n",
                shortName(s), forks, p.startup(), p.setup(), p.connection(), p.work(), p.teardown(), p.perTest(),
                p.shutdown()));
          }
        }
      }
    }

    md.append("\n**4. Time to first test** (ms; one `@PgIsolated` test in a new JVM)\n\n");
    md.append("| machine state | JVM start → first database leased | wall time of the one-test run |\n|---|---|---|\n");
    md.append(String.format(Locale.ROOT, "| cold: nothing extracted, no cluster, no template | %d | %d |%n",
        Math.round(start.coldFirstLease()), Math.round(start.coldWall())));
    md.append(String.format(Locale.ROOT, "| warm: server running, template built (median of %d) | %d | %d |%n",
        start.warmRuns(), Math.round(start.warmFirstLease()), Math.round(start.warmWall())));

    md.append("\n**Targets**\n\n| target | goal | measured | met |\n|---|---|---|---|\n");
    for (Target t : targets()) {
      md.append("| ").append(t.name()).append(" | ").append(t.goal()).append(" | ").append(t.measured()).append(" | ")
          .append(t.met() ? "yes" : "**no**").append(" |\n");
    }
    return md.toString();
  }

  /** The chart of the suite comparison. */
  String chart() {
    List<String> categories = new ArrayList<>();
    double[][] values = new double[order().size()][FORKS.length];
    char letter = 'a';
    for (Strategy s : order()) {
      categories.add("(" + letter++ + ") " + shortName(s));
      for (int f = 0; f < FORKS.length; f++) {
        values[categories.size() - 1][f] = median(s, FORKS[f]);
      }
    }
    return SvgChart.render(testsPerRun + " tests, four ways: wall time of the run (lower is better)",
        date + ", " + machine.replaceFirst(" \\(.*", "") + ", median of " + suite.get(FORKS[0]).get(Strategy.ROLLBACK).size()
            + " rounds; @PgIsolated over no isolation: " + f2(overhead()) + " ×",
        categories, List.of("1 fork", "3 forks"), values, "seconds");
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

  /** An empty suite map to fill, by fork count then strategy. */
  static Map<Integer, Map<Strategy, List<Double>>> emptySuite() {
    Map<Integer, Map<Strategy, List<Double>>> suite = new java.util.TreeMap<>();
    for (int forks : FORKS) {
      Map<Strategy, List<Double>> byStrategy = new EnumMap<>(Strategy.class);
      for (Strategy s : Strategy.values()) {
        byStrategy.put(s, new ArrayList<>());
      }
      suite.put(forks, byStrategy);
    }
    return suite;
  }

  private static void raw(StringBuilder md, String name, double[] ms) {
    md.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f |%n", name, ms.length, Stats.quantile(ms, 0.5),
        Stats.quantile(ms, 1)));
  }

  private void ratioRow(StringBuilder md, String name, Strategy over, Strategy under, double headline) {
    md.append("| ").append(name);
    for (int forks : FORKS) {
      md.append(" | ").append(f2(ratio(over, under, forks)));
    }
    md.append(" | **").append(f2(headline)).append("** |\n");
  }

  private static void row(StringBuilder md, String name, int jvms, Summary s, boolean bold) {
    String b = bold ? "**" : "";
    md.append(String.format(Locale.ROOT, "| %s | %d | %s%.2f%s | %.2f | %s%.2f%s | %.1f |%n", name, jvms, b, s.p50(), b,
        s.p95(), b, s.p99(), b, s.max()));
  }

  static String f1(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  static String f2(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }
}
