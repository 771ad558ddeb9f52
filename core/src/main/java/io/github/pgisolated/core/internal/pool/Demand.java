package io.github.pgisolated.core.internal.pool;

import io.github.pgisolated.core.internal.db.DatabaseNames;
import java.util.concurrent.TimeUnit;

/**
 * What a pool was asked for while its coordinator ran: the most clones leased at once (clones the
 * JVMs keep between their tests included) and how fast tests used clones up (gave them back to be
 * recreated). The coordinator writes it into the template's ready marker when it closes, and the
 * next run's pool starts with that many clones (see {@link ClonePool}).
 *
 * <p>Not thread-safe: guarded by the owning pool's lock.
 */
final class Demand {
  private int peak;
  private long usedUp;
  private long firstNanos;
  private long lastNanos;

  void leased(int leasedNow) {
    peak = Math.max(peak, leasedNow);
    touch();
  }

  void usedUp() {
    usedUp++;
    touch();
  }

  private void touch() {
    long now = System.nanoTime();
    if (firstNanos == 0) {
      firstNanos = now;
    }
    lastNanos = now;
  }

  /** The figures so far; the rate is per minute of the time the pool was in use (at least a second). */
  DatabaseNames.Demand figures() {
    long spanMillis = Math.max(1000, TimeUnit.NANOSECONDS.toMillis(lastNanos - firstNanos));
    long perMinute = Math.round(usedUp * 60_000.0 / spanMillis);
    return new DatabaseNames.Demand(Math.min(peak, 9999), (int) Math.min(perMinute, 9_999_999));
  }
}
