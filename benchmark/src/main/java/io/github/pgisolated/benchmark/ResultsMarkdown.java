package io.github.pgisolated.benchmark;

import io.github.pgisolated.benchmark.Results.ForkReports;
import io.github.pgisolated.benchmark.Results.Leases;
import io.github.pgisolated.benchmark.Results.Suite;
import io.github.pgisolated.benchmark.Results.Target;
import io.github.pgisolated.benchmark.Stats.Summary;
import io.github.pgisolated.benchmark.suite.BenchWorkload;
import io.github.pgisolated.benchmark.suite.Strategy;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The benchmark's results as markdown tables, section by section. */
final class ResultsMarkdown {
  private final Results r;
  private final StringBuilder md;

  ResultsMarkdown(Results results, StringBuilder md) {
    this.r = results;
    this.md = md;
  }

  void write() {
    leases();
    recycle();
    profile();
    r.workloads().forEach(this::suite);
    start();
    cores();
    md.append("\n**Targets**\n\n| target | goal | measured | met |\n|---|---|---|---|\n");
    for (Target t : r.targets()) {
      md.append("| ").append(t.name()).append(" | ").append(t.goal()).append(" | ").append(t.measured()).append(" | ")
          .append(t.met() ? "yes" : "**no**").append(" |\n");
    }
  }

  private void leases() {
    md.append("**1. Lease latency, warm pool** (ms; ").append(r.oneJvm().total().count())
        .append(" leases in 1 JVM, ").append(r.threeJvms().total().count())
        .append(" across 3 JVMs sharing one coordinator; each lease followed by one small-workload test's work)\n\n");
    md.append("| per lease | JVMs | p50 | p95 | p99 | max |\n|---|---|---|---|---|---|\n");
    for (Leases l : List.of(r.oneJvm(), r.threeJvms())) {
      row("**setup start → usable DataSource with its first connection**", l.jvms(), l.total(), true);
      row("of which `lease()` + `dataSource()`", l.jvms(), l.lease(), false);
      row("of which the first `getConnection()`", l.jvms(), l.connection(), false);
      row("giving the database back (test's thread)", l.jvms(), l.giveBack(), false);
    }
  }

  private void recycle() {
    Results.Recycle recycle = r.recycle();
    ServerCosts costs = r.costs();
    md.append("\n**2. Recycle cost** (ms, same server, same template, same run)\n\n");
    md.append("| what | n | q50 | max |\n|---|---|---|---|\n");
    md.append(String.format(Locale.ROOT, "| a clone made by the coordinator (a used one is replaced under a free name; "
        + "run report) | %d | %.1f | %.1f |%n", recycle.recreations(), recycle.q50(), recycle.max()));
    md.append(String.format(Locale.ROOT, "| a used clone dropped, later, while the coordinator was idle (run report) "
        + "| %d | %.1f | |%n", recycle.drops(), recycle.dropQ50()));
    raw("raw `CREATE DATABASE … TEMPLATE … STRATEGY FILE_COPY`, one at a time, pool idle", costs.create());
    raw("raw `DROP DATABASE … WITH (FORCE)` of that clone, right after the profile's sessions on it closed", costs.drop());
    raw("raw clone, two at a time", costs.parallelClone());
    md.append(String.format(Locale.ROOT, "| leases that found no ready clone and waited (run report) | %d | %.1f | %.1f |%n",
        recycle.waits(), recycle.waitQ50(), recycle.waitMax()));
  }

  private void profile() {
    ServerCosts costs = r.costs();
    md.append("\n**Profile: a test on a new database, plain pgjdbc, no pgisolated** (ms, pool idle)\n\n");
    md.append("| what | n | q50 | max |\n|---|---|---|---|\n");
    raw("connect + `select 1` to a database just cloned", costs.firstConnect());
    raw("connect + `select 1` to it again", costs.secondConnect());
    raw("one test's work, first on that new database (cold caches)", costs.coldWork());
    raw("the same work again on the same connection (warm caches)", costs.warmWork());
  }

  private void suite(BenchWorkload workload, Suite suite) {
    int section = 3 + List.copyOf(r.workloads().keySet()).indexOf(workload);
    md.append("\n**").append(section).append(". The suite, four ways: ").append(workload.description())
        .append("** (").append(r.testsPerRun()).append(" tests; wall time of the whole run in s, from starting the "
            + "test JVMs to the last one's exit; median of ").append(r.rounds()).append(" rounds, min–max in brackets)\n\n");
    md.append("| strategy | 1 fork | 3 forks |\n|---|---|---|\n");
    char letter = 'a';
    for (Strategy s : Results.order()) {
      md.append("| (").append(letter++).append(") ").append(s.description());
      for (int forks : Results.FORKS) {
        List<Double> runs = suite.wall().get(forks).get(s);
        md.append(String.format(Locale.ROOT, " | %.2f (%.2f–%.2f)", suite.median(s, forks),
            runs.stream().mapToDouble(Double::doubleValue).min().orElse(0),
            runs.stream().mapToDouble(Double::doubleValue).max().orElse(0)));
      }
      md.append(" |\n");
    }
    md.append("\n| ratio | 1 fork | 3 forks | the worse |\n|---|---|---|---|\n");
    ratioRow(suite, "b/a: @PgIsolated over no isolation", Strategy.PGISOLATED, Strategy.ROLLBACK, true);
    ratioRow(suite, "c/b: on-demand clone over @PgIsolated", Strategy.ON_DEMAND, Strategy.PGISOLATED, false);
    ratioRow(suite, "d/b: truncate and reseed over @PgIsolated", Strategy.TRUNCATE, Strategy.PGISOLATED, false);
    md.append("\n| @PgIsolated's databases after each test (all rounds) | 1 fork | 3 forks |\n|---|---|---|\n");
    md.append("| reset in place | ").append(report(suite, 1).resets()).append(" | ").append(report(suite, 3).resets())
        .append(" |\n");
    md.append("| nothing to do (the test changed nothing) | ").append(report(suite, 1).unchanged()).append(" | ")
        .append(report(suite, 3).unchanged()).append(" |\n");
    md.append("| recreated | ").append(report(suite, 1).recreations()).append(' ').append(reasons(report(suite, 1)))
        .append(" | ").append(report(suite, 3).recreations()).append(' ').append(reasons(report(suite, 3))).append(" |\n");
    Map<Integer, Map<Strategy, Phases.Summary>> phases = suite.phases();
    if (!phases.isEmpty()) {
      md.append("\n*Where the time goes* (ms; per test: the mean over all tests of all rounds; per fork JVM: the median)"
          + "\n\n| strategy | forks | JVM start → first test | setup (before the body) | first connection | work "
          + "| teardown | per test | last test → JVM end |\n|---|---|---|---|---|---|---|---|---|\n");
      for (int forks : Results.FORKS) {
        for (Strategy s : Results.order()) {
          Phases.Summary p = phases.getOrDefault(forks, Map.of()).get(s);
          if (p != null) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f |%n",
                Results.shortName(s), forks, p.startup(), p.setup(), p.connection(), p.work(), p.teardown(),
                p.perTest(), p.shutdown()));
          }
        }
      }
      cpu(suite);
    }
  }

  /**
   * Where the CPU goes: on a machine with few cores the test JVMs and the server share them, and a
   * strategy's wall time can't go below its CPU time over the cores.
   */
  private void cpu(Suite suite) {
    if (suite.phases().values().stream().flatMap(m -> m.values().stream()).allMatch(p -> p.cpu() == null)) {
      return;
    }
    int cores = Runtime.getRuntime().availableProcessors();
    md.append("\n*Where the CPU goes* (ms of CPU per test, over whole runs, JVM starts included; the server: every "
        + "PostgreSQL process, ended backends included; " + cores + " cores give " + cores + " ms of CPU per ms of wall "
        + "time)\n\n| strategy | forks | test JVMs | of which JIT compiling | server | total | wall time per test "
        + "| cores busy |\n|---|---|---|---|---|---|---|---|\n");
    for (int forks : Results.FORKS) {
      for (Strategy s : Results.order()) {
        Phases.Summary p = suite.phases().getOrDefault(forks, Map.of()).get(s);
        if (p != null && p.cpu() != null) {
          double wallPerTest = suite.median(s, forks) * 1000 / r.testsPerRun();
          md.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.2f |%n",
              Results.shortName(s), forks, p.cpu().jvm(), p.cpu().jit(), p.cpu().server(), p.cpu().total(),
              wallPerTest, p.cpu().total() / wallPerTest));
        }
      }
    }
  }

  private static ForkReports report(Suite suite, int forks) {
    return suite.reports().getOrDefault(forks, ForkReports.none());
  }

  private static String reasons(ForkReports report) {
    if (report.reasons().isEmpty()) {
      return "";
    }
    StringBuilder text = new StringBuilder("(");
    report.reasons().forEach((reason, count) -> text.append(text.length() > 1 ? ", " : "").append(reason).append(": ")
        .append(count));
    return text.append(')').toString();
  }

  private void start() {
    Results.Start start = r.start();
    md.append("\n**").append(3 + r.workloads().size()).append(". Time to first test** (ms; one `@PgIsolated` test in "
        + "a new JVM)\n\n");
    md.append("| machine state | JVM start → first database leased | wall time of the one-test run |\n|---|---|---|\n");
    md.append(String.format(Locale.ROOT, "| cold: nothing extracted, no cluster, no template | %d | %d |%n",
        Math.round(start.coldFirstLease()), Math.round(start.coldWall())));
    md.append(String.format(Locale.ROOT, "| warm: server running, template built (median of %d) | %d | %d |%n",
        start.warmRuns(), Math.round(start.warmFirstLease()), Math.round(start.warmWall())));
  }

  private void cores() {
    if (r.cores().isEmpty()) {
      return;
    }
    md.append("\n**").append(4 + r.workloads().size()).append(". Cores** (the small suite, 1 fork; the test JVM and the "
        + "server pinned with `taskset`; wall time in s, median of ").append(r.rounds()).append(" rounds)\n\n");
    md.append("| CPUs | (a) rollback, no isolation | (b) @PgIsolated | b/a |\n|---|---|---|---|\n");
    r.cores().forEach((cpus, wall) -> {
      double a = Stats.median(wall.get(Strategy.ROLLBACK));
      double b = Stats.median(wall.get(Strategy.PGISOLATED));
      int count = cpus.split(",").length;
      md.append(String.format(Locale.ROOT, "| %d (%s) | %.2f | %.2f | %.2f |%n", count, cpus, a, b, b / a));
    });
  }

  private void raw(String name, double[] ms) {
    md.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f |%n", name, ms.length, Stats.quantile(ms, 0.5),
        Stats.quantile(ms, 1)));
  }

  private void ratioRow(Suite suite, String name, Strategy over, Strategy under, boolean larger) {
    md.append("| ").append(name);
    for (int forks : Results.FORKS) {
      md.append(" | ").append(Results.f2(suite.ratio(over, under, forks)));
    }
    md.append(" | **").append(Results.f2(suite.worst(over, under, larger))).append("** |\n");
  }

  private void row(String name, int jvms, Summary s, boolean bold) {
    String b = bold ? "**" : "";
    md.append(String.format(Locale.ROOT, "| %s | %d | %s%.2f%s | %.2f | %s%.2f%s | %.1f |%n", name, jvms, b, s.p50(), b,
        s.p95(), b, s.p99(), b, s.max()));
  }
}
