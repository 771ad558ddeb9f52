package io.github.pgisolated.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.pgisolated.benchmark.suite.Strategy;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ResultsTests {

  /** The issue's line: every key, in order, each with a number. */
  private static final Pattern LAST_LINE = Pattern.compile("pgisolated-bench: overhead=\\d+\\.\\d{2} "
      + "lease_p50_ms=\\d+\\.\\d+ lease_p99_ms=\\d+\\.\\d+ recycle_q50_ms=\\d+\\.\\d+ raw_clone_q50_ms=\\d+\\.\\d+ "
      + "vs_on_demand=\\d+\\.\\d{2} vs_truncate=\\d+\\.\\d{2} cold_start_ms=\\d+ warm_start_ms=\\d+");

  static Results sample() {
    Map<Integer, Map<Strategy, List<Double>>> suite = Results.emptySuite();
    fill(suite, 1, Strategy.ROLLBACK, 4.0, 3.9, 4.1);
    fill(suite, 1, Strategy.PGISOLATED, 4.4, 4.5, 4.3);
    fill(suite, 1, Strategy.ON_DEMAND, 16.0, 16.3, 17.0);
    fill(suite, 1, Strategy.TRUNCATE, 5.7, 5.6, 5.9);
    fill(suite, 3, Strategy.ROLLBACK, 6.8, 6.8, 6.8);
    fill(suite, 3, Strategy.PGISOLATED, 7.0, 7.1, 6.9);
    fill(suite, 3, Strategy.ON_DEMAND, 13.7, 13.0, 14.0);
    fill(suite, 3, Strategy.TRUNCATE, 7.1, 7.2, 7.0);
    Stats.Summary s = new Stats.Summary(1000, 0.5, 1.5, 8, 20);
    Results.Leases leases = new Results.Leases(1, s, s, s, s);
    double[] ms = {10, 11, 12};
    return new Results(LocalDate.of(2026, 11, 21), "2-core machine (24 GiB, Linux, Java 17)", "load average 0.5",
        "embedded PostgreSQL 18.6", "defaults", leases, new Results.Leases(3, s, s, s, s),
        new Results.Recycle(1100, 12, 40, 3, 5, 9), new ServerCosts(ms, ms, ms, ms, ms, ms, ms), suite,
        Map.of(1, Map.of(Strategy.ROLLBACK, new Phases.Summary(300, 400, 0.5, 0.1, 3, 0.2, 10))), 300,
        new Results.Start(4321.4, 5000, 812.6, 1200, 3));
  }

  private static void fill(Map<Integer, Map<Strategy, List<Double>>> suite, int forks, Strategy s, Double... runs) {
    suite.get(forks).get(s).addAll(List.of(runs));
  }

  @Test
  void theLastLineHasTheIssuesForm() {
    String line = sample().lastLine();
    assertTrue(LAST_LINE.matcher(line).matches(), line);
    assertEquals("pgisolated-bench: overhead=1.10 lease_p50_ms=0.50 lease_p99_ms=8.00 recycle_q50_ms=12.0 "
        + "raw_clone_q50_ms=11.0 vs_on_demand=1.96 vs_truncate=1.01 cold_start_ms=4321 warm_start_ms=813", line);
  }

  @Test
  void headlineRatiosAreTheWorseOfTheForkCounts() {
    Results r = sample();
    assertEquals(4.4 / 4.0, r.ratio(Strategy.PGISOLATED, Strategy.ROLLBACK, 1), 1e-9);
    assertEquals(7.0 / 6.8, r.ratio(Strategy.PGISOLATED, Strategy.ROLLBACK, 3), 1e-9);
    assertEquals(4.4 / 4.0, r.overhead(), 1e-9);
    assertEquals(13.7 / 7.0, r.vsOnDemand(), 1e-9);
    assertEquals(7.1 / 7.0, r.vsTruncate(), 1e-9);
  }

  @Test
  void targetsSayWhichWereMet() {
    List<Results.Target> targets = sample().targets();
    assertEquals(6, targets.size());
    Map<String, Boolean> met = new java.util.HashMap<>();
    targets.forEach(t -> met.put(t.name(), t.met()));
    assertTrue(met.get("overhead (b/a)"));
    assertTrue(met.get("lease p50, incl. first connection"));
    assertTrue(met.get("lease p99, incl. first connection"));
    assertTrue(met.get("recycle q50"), "12 ≤ 1.2 × 11");
    assertFalse(met.get("vs on demand (c/b)"), "1.96 < 2");
    assertTrue(met.get("warm start"));
  }

  @Test
  void theMarkdownHasEverySectionAndTheDate() {
    String md = sample().markdown();
    assertTrue(md.startsWith("## pgisolated benchmark, 2026-11-21, 2-core machine"), md);
    for (String section : List.of("**1. Lease latency", "**2. Recycle cost", "**3. The suite, four ways",
        "**Where the suite's time goes**", "**4. Time to first test**", "**Targets**")) {
      assertTrue(md.contains(section), section);
    }
    assertTrue(md.contains("| (b) @PgIsolated (a database per test, warm pool) | 4.40 (4.30–4.50) | 7.00 (6.90–7.10) |"), md);
    assertTrue(md.contains("| b/a: @PgIsolated over no isolation | 1.10 | 1.03 | **1.10** |"), md);
    assertTrue(md.contains("| vs on demand (c/b) | ≥ 2 | 1.96 | **no** |"), md);
  }

  @Test
  void theChartShowsTheFourStrategies() {
    String svg = sample().chart();
    for (String name : List.of("rollback", "@PgIsolated", "clone on demand", "truncate + reseed")) {
      assertTrue(svg.contains(name), name);
    }
    assertFalse(svg.contains("24 GiB"), "the subtitle is short");
  }
}
