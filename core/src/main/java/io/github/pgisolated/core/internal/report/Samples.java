package io.github.pgisolated.core.internal.report;

import java.util.Arrays;

/**
 * Durations recorded for the run report: a count and the most recent {@link #CAPACITY} values,
 * enough for quantiles. Thread-safe; recording is one synchronized array store.
 */
public final class Samples {
  static final int CAPACITY = 100_000;

  private final long[] values = new long[CAPACITY];
  private long count;

  /** Records one duration. */
  public synchronized void add(long nanos) {
    values[(int) (count % CAPACITY)] = nanos;
    count++;
  }

  /** How many durations were recorded in all. */
  public synchronized long count() {
    return count;
  }

  /** The q-quantile (0..1) in milliseconds of the recorded durations, or 0 when there are none. */
  public synchronized double quantileMillis(double q) {
    int n = (int) Math.min(count, CAPACITY);
    if (n == 0) {
      return 0;
    }
    long[] sorted = Arrays.copyOf(values, n);
    Arrays.sort(sorted);
    int index = Math.max(0, Math.min(n - 1, (int) Math.ceil(q * n) - 1));
    return sorted[index] / 1e6;
  }
}
