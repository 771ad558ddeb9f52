package io.github.pgisolated.core.internal.pool;

/**
 * A snapshot of one clone pool, for error messages and the run report.
 *
 * @param ready clones waiting to be leased
 * @param leased clones held by tests
 * @param recreating clones being created or recreated (or waiting for a worker to do so)
 * @param waiting threads waiting for a clone
 * @param max the most clones the pool may have
 * @param used used clones of the pool waiting to be dropped (not counted in {@code max})
 */
public record PoolStatistics(int ready, int leased, int recreating, int waiting, int max, int used) {
  @Override
  public String toString() {
    return "ready=" + ready + ", leased=" + leased + ", recreating=" + recreating + ", waiting=" + waiting
        + ", max=" + max + ", used to drop=" + used;
  }
}
