package io.github.pgisolated.core.internal.pool;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The global cap on clones across every template's pool ({@code pgisolated.pool.max-databases}),
 * so that many templates cannot fill the disk (or memory) between them.
 *
 * <p>Lock-free, so that a pool may reserve room while holding its own lock without any lock
 * ordering between pools. Adopted clones are counted even beyond the cap ({@link #force}): they
 * exist already.
 */
final class Capacity {
  private final int limit;
  private final AtomicInteger used = new AtomicInteger();

  Capacity(int limit) {
    this.limit = limit;
  }

  /** Reserves room for one clone; false when the cap is reached. */
  boolean tryReserve() {
    while (true) {
      int now = used.get();
      if (now >= limit) {
        return false;
      }
      if (used.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  /** Counts a clone that exists already, even beyond the cap. */
  void force() {
    used.incrementAndGet();
  }

  /** A clone is gone. */
  void release() {
    used.decrementAndGet();
  }

  int used() {
    return used.get();
  }

  int limit() {
    return limit;
  }
}
