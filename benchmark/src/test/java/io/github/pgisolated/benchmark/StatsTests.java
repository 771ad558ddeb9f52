package io.github.pgisolated.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTests {

  @Test
  void quantilesUseTheNearestRank() {
    double[] values = new double[100];
    for (int i = 0; i < 100; i++) {
      values[i] = 100 - i; // 100..1, unsorted
    }
    assertEquals(50, Stats.quantile(values, 0.5));
    assertEquals(95, Stats.quantile(values, 0.95));
    assertEquals(99, Stats.quantile(values, 0.99));
    assertEquals(100, Stats.quantile(values, 1));
    assertEquals(1, Stats.quantile(values, 0));
    assertEquals(100, values[0], "the input is not sorted in place");
  }

  @Test
  void quantilesOfOneAndOfNone() {
    assertEquals(7, Stats.quantile(new double[] {7}, 0.99));
    assertTrue(Double.isNaN(Stats.quantile(new double[0], 0.5)));
    assertThrows(IllegalArgumentException.class, () -> Stats.quantile(new double[] {1}, 1.5));
  }

  @Test
  void mediansOfOddAndEvenCounts() {
    assertEquals(3, Stats.median(List.of(5.0, 3.0, 1.0)));
    assertEquals(2.5, Stats.median(List.of(4.0, 1.0, 3.0, 2.0)));
  }

  @Test
  void summariesInMilliseconds() {
    Stats.Summary s = Stats.Summary.of(Stats.millis(new long[] {1_000_000, 2_000_000, 3_000_000, 40_000_000}));
    assertEquals(4, s.count());
    assertEquals(2, s.p50());
    assertEquals(40, s.p99());
    assertEquals(40, s.max());
  }
}
