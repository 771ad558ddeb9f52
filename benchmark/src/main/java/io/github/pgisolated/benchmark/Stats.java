package io.github.pgisolated.benchmark;

import java.util.Arrays;
import java.util.Collection;

/** Quantiles and medians of measured durations, in milliseconds. */
final class Stats {
  private Stats() {}

  /**
   * The q-quantile (0..1) by the nearest-rank method, as pgisolated's run report computes it:
   * the smallest value with at least {@code q} of all values at or below it; {@code 1} is the max.
   */
  static double quantile(double[] values, double q) {
    if (values.length == 0) {
      return Double.NaN;
    }
    if (q < 0 || q > 1) {
      throw new IllegalArgumentException("quantile out of 0..1: " + q);
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  /** The median (the mean of the two middle values when there is an even number). */
  static double median(Collection<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  /** Nanoseconds to milliseconds. */
  static double[] millis(long[] nanos) {
    return Arrays.stream(nanos).mapToDouble(n -> n / 1e6).toArray();
  }

  /** p50, p95, p99 and max of some durations in milliseconds. */
  record Summary(int count, double p50, double p95, double p99, double max) {
    static Summary of(double[] millis) {
      return new Summary(millis.length, quantile(millis, 0.5), quantile(millis, 0.95), quantile(millis, 0.99),
          quantile(millis, 1));
    }
  }
}
