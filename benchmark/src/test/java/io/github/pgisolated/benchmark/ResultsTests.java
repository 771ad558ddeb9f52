package io.github.pgisolated.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.pgisolated.benchmark.suite.BenchWorkload;
import io.github.pgisolated.benchmark.suite.Strategy;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ResultsTests {

  /** The issue's line: every key, in order, each with a number. */
  private static final Pattern LAST_LINE = Pattern.compile("pgisolated-bench: overhead=\\d+\\.\\d{2} "
      + "lease_p50_ms=\\d+\\.\\d+ lease_p99_ms=\\d+\\.\\d+ recycle_q50_ms=\\d+\\.\\d+ raw_clone_q50_ms=\\d+\\.\\d+ "
      + "vs_on_demand=\\d+\\.\\d{2} vs_truncate=\\d+\\.\\d{2} vs_truncate_large=\\d+\\.\\d{2} "
      + "vs_on_demand_ddl=\\d+\\.\\d{2} resets_in_place=\\d+ cold_start_ms=\\d+ warm_start_ms=\\d+");

  static Results sample() {
    Map<BenchWorkload, Results.Suite> workloads = new LinkedHashMap<>();
    workloads.put(BenchWorkload.SMALL, suite(new double[][] {
        {4.0, 3.9, 4.1}, {4.4, 4.5, 4.3}, {16.0, 16.3, 17.0}, {5.7, 5.6, 5.9},
        {6.8, 6.8, 6.8}, {7.0, 7.1, 6.9}, {13.7, 13.0, 14.0}, {7.1, 7.2, 7.0}}, 240));
    workloads.put(BenchWorkload.LARGE, suite(new double[][] {
        {5.0, 5.0, 5.0}, {6.0, 6.0, 6.0}, {20.0, 20.0, 20.0}, {30.0, 30.0, 30.0},
        {8.0, 8.0, 8.0}, {9.0, 9.0, 9.0}, {18.0, 18.0, 18.0}, {16.0, 16.0, 16.0}}, 300));
    workloads.put(BenchWorkload.DDL, suite(new double[][] {
        {4.0, 4.0, 4.0}, {8.0, 8.0, 8.0}, {17.0, 17.0, 17.0}, {6.0, 6.0, 6.0},
        {7.0, 7.0, 7.0}, {10.0, 10.0, 10.0}, {15.0, 15.0, 15.0}, {8.0, 8.0, 8.0}}, 0));
    Stats.Summary s = new Stats.Summary(1000, 0.5, 1.5, 8, 20);
    Results.Leases leases = new Results.Leases(1, s, s, s, s);
    double[] ms = {10, 11, 12};
    return new Results(LocalDate.of(2026, 11, 21), "2-core machine (24 GiB, Linux, Java 17)", "load average 0.5",
        "embedded PostgreSQL 18.6", "defaults", leases, new Results.Leases(3, s, s, s, s),
        new Results.Recycle(1100, 12, 40, 3, 5, 9, 60, 7), new ServerCosts(ms, ms, ms, ms, ms, ms, ms), workloads, 300,
        new Results.Start(4321.4, 5000, 812.6, 1200, 3),
        Map.of("0", Map.of(Strategy.ROLLBACK, List.of(8.0, 8.2, 7.9), Strategy.PGISOLATED, List.of(20.0, 21.0, 19.5))));
  }

  /** Rows: the four strategies with 1 fork, then with 3 forks; each row the rounds. */
  private static Results.Suite suite(double[][] rows, long resetsPerForkCount) {
    Map<Integer, Map<Strategy, List<Double>>> wall = Results.emptyWall();
    List<Strategy> order = Results.order();
    for (int i = 0; i < rows.length; i++) {
      List<Double> runs = wall.get(Results.FORKS[i / 4]).get(order.get(i % 4));
      for (double run : rows[i]) {
        runs.add(run);
      }
    }
    Map<Integer, Results.ForkReports> reports = Map.of(
        1, new Results.ForkReports(resetsPerForkCount, 2, Map.of("schema changed", 58)),
        3, new Results.ForkReports(resetsPerForkCount, 0, Map.of("schema changed", 60)));
    return new Results.Suite(wall, Map.of(1, Map.of(Strategy.ROLLBACK, new Phases.Summary(300, 400, 0.5, 0.1, 3, 0.2, 10,
        new Phases.Cpu(20, 8, 5)))),
        reports);
  }

  @Test
  void theLastLineHasTheIssuesForm() {
    String line = sample().lastLine();
    assertTrue(LAST_LINE.matcher(line).matches(), line);
    assertEquals("pgisolated-bench: overhead=1.10 lease_p50_ms=0.50 lease_p99_ms=8.00 recycle_q50_ms=12.0 "
        + "raw_clone_q50_ms=11.0 vs_on_demand=1.96 vs_truncate=1.01 vs_truncate_large=1.78 vs_on_demand_ddl=1.50 "
        + "resets_in_place=1080 cold_start_ms=4321 warm_start_ms=813", line);
  }

  @Test
  void headlineRatiosAreTheWorseOfTheForkCounts() {
    Results r = sample();
    assertEquals(4.4 / 4.0, r.small().ratio(Strategy.PGISOLATED, Strategy.ROLLBACK, 1), 1e-9);
    assertEquals(7.0 / 6.8, r.small().ratio(Strategy.PGISOLATED, Strategy.ROLLBACK, 3), 1e-9);
    assertEquals(4.4 / 4.0, r.overhead(), 1e-9);
    assertEquals(13.7 / 7.0, r.vsOnDemand(), 1e-9);
    assertEquals(7.1 / 7.0, r.vsTruncate(), 1e-9);
    assertEquals(16.0 / 9.0, r.vsTruncateLarge(), 1e-9);
    assertEquals(15.0 / 10.0, r.vsOnDemandDdl(), 1e-9);
    assertEquals(2 * 240 + 2 * 300, r.resetsInPlace(), "240 and 300 resets per fork count, small and large");
  }

  @Test
  void targetsSayWhichWereMet() {
    List<Results.Target> targets = sample().targets();
    assertEquals(9, targets.size());
    Map<String, Boolean> met = new java.util.HashMap<>();
    targets.forEach(t -> met.put(t.name(), t.met()));
    assertTrue(met.get("overhead (b/a), small, worse of 1 and 3 forks"), "1.10 ≤ 1.3");
    assertTrue(met.get("vs truncate (d/b), small"), "1.01 ≥ 1");
    assertFalse(met.get("vs truncate (d/b), large"), "1.78 < 2");
    assertFalse(met.get("vs on demand (c/b), small"), "1.96 < 4");
    assertFalse(met.get("vs on demand (c/b), DDL-heavy"), "1.5 < 2");
    assertTrue(met.get("recreation q50 against a raw clone"), "12 ≤ 1.2 × 11");
    assertTrue(met.get("lease p50 / p99 incl. first connection, 1 JVM"));
    assertTrue(met.get("lease p50 / p99 incl. first connection, 3 JVMs"));
    assertTrue(met.get("warm start"));
  }

  @Test
  void theMarkdownHasEverySectionAndTheDate() {
    String md = sample().markdown();
    assertTrue(md.startsWith("## pgisolated benchmark, 2026-11-21, 2-core machine"), md);
    for (String section : List.of("**1. Lease latency", "**2. Recycle cost", "**3. The suite, four ways: small",
        "**4. The suite, four ways: larger", "**5. The suite, four ways: DDL-heavy", "*Where the time goes*",
        "**6. Time to first test**", "**Targets**")) {
      assertTrue(md.contains(section), section);
    }
    assertTrue(md.contains("| (b) @PgIsolated (a database per test, warm pool) | 4.40 (4.30–4.50) | 7.00 (6.90–7.10) |"), md);
    assertTrue(md.contains("| b/a: @PgIsolated over no isolation | 1.10 | 1.03 | **1.10** |"), md);
    assertTrue(md.contains("| reset in place | 240 | 240 |"), md);
    assertTrue(md.contains("| recreated | 58 (schema changed: 58) | 60 (schema changed: 60) |"), md);
    assertTrue(md.contains("| vs on demand (c/b), small | ≥ 4 | 1.96 | **no** |"), md);
  }

  @Test
  void theCoresSectionShowsTheRatioPerCpuCount() {
    String md = sample().markdown();
    assertTrue(md.contains("**7. Cores**"), md);
    assertTrue(md.contains("| 1 (0) | 8.00 | 20.00 | 2.50 |"), md);
  }

  @Test
  void theCpuTableDividesByTheWallTimePerTest() {
    String md = sample().markdown();
    // rollback, 1 fork: median 4.0 s over 300 tests is 13.3 ms a test; 20 + 5 ms of CPU is 1.875 cores busy
    assertTrue(md.contains("| rollback (no isolation) | 1 | 20.0 | 8.0 | 5.0 | 25.0 | 13.3 | 1.88 |"), md);
  }

  @Test
  void theRunReportLinesOfAForkAreRead() {
    Results.ForkReports report = ForkReportParser.parse("""
        12:00:00.000 [main] INFO io.github.pgisolated.core.internal.engine.PoolEngine - pgisolated run report for JVM 1:
          leases:    300 (time to a database q50 0.06 ms, p99 28.59 ms, max 620.1 ms)
          reset in place: 238 (q50 10.15 ms, max 42.1 ms), 1 needed nothing
          to recreate: 61 (ANALYZE 1, schema changed 60)
        """);
    assertEquals(238, report.resets());
    assertEquals(1, report.unchanged());
    assertEquals(Map.of("ANALYZE", 1, "schema changed", 60), report.reasons());
    assertEquals(61, report.recreations());
  }

  @Test
  void theChartShowsTheFourStrategies() {
    String svg = sample().chart(BenchWorkload.LARGE);
    for (String name : List.of("rollback", "@PgIsolated", "clone on demand", "truncate + reseed", "large workload")) {
      assertTrue(svg.contains(name), name);
    }
    assertFalse(svg.contains("24 GiB"), "the subtitle is short");
  }
}
