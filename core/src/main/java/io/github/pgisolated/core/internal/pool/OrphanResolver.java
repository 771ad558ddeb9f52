package io.github.pgisolated.core.internal.pool;

import io.github.pgisolated.core.internal.db.DatabaseAdmin;
import io.github.pgisolated.core.internal.db.DatabaseClaims;
import io.github.pgisolated.core.internal.db.DatabaseNames;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what the clones a coordinator adopted (state UNKNOWN) are, from PostgreSQL alone:
 *
 * <ul>
 *   <li>a live holder lock (see {@link DatabaseClaims}): a running test in some JVM holds it and
 *       will re-claim it: left alone;</li>
 *   <li>no holder lock and no sessions: an orphan (its holder died, or it is left from an earlier
 *       run): recreated. After an unclean takeover (the previous coordinator died), only once
 *       that has been seen for {@link #NO_HOLDER_CONFIRM_NANOS}: a lease the dead coordinator
 *       handed out just before it died may have reached its holder, which has not yet taken its
 *       holder lock (a sub-millisecond window). A coordinator that exits cleanly closes its
 *       socket before it frees its databases, so no such window exists then;</li>
 *   <li>no holder lock but sessions: left alone for {@link #SESSION_GRACE_NANOS}, so that a
 *       database is never dropped under a running test; after that, recreated with a warning
 *       (the sessions belong to nobody pgisolated knows).</li>
 * </ul>
 *
 * <p>Runs once when clones are adopted and then every {@link #PERIOD_MILLIS} while any are
 * unknown, on the pool's workers. One pass at a time per pool.
 */
final class OrphanResolver {
  private static final Logger LOG = LoggerFactory.getLogger(OrphanResolver.class);
  static final long PERIOD_MILLIS = 250;
  static final long SESSION_GRACE_NANOS = TimeUnit.SECONDS.toNanos(10);
  static final long NO_HOLDER_CONFIRM_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  private final ClonePool pool;
  private final DatabaseClaims claims;
  private final DatabaseAdmin admin;
  private final DataSource adminPool;
  private final Executor workers;
  private final Supplier<Boolean> closed;
  private final boolean confirmOrphans;
  private final Map<Integer, Long> sessionsSeenSince = new HashMap<>();
  private final Map<Integer, Long> noHolderSince = new HashMap<>();
  private boolean running;

  OrphanResolver(ClonePool pool, DatabaseClaims claims, DatabaseAdmin admin, DataSource adminPool, Executor workers,
      Supplier<Boolean> closed, boolean confirmOrphans) {
    this.confirmOrphans = confirmOrphans;
    this.pool = pool;
    this.claims = claims;
    this.admin = admin;
    this.adminPool = adminPool;
    this.workers = workers;
    this.closed = closed;
  }

  /** Runs a pass now (on a worker). */
  synchronized void start() {
    if (!running) {
      running = true;
      workers.execute(this::pass);
    }
  }

  private void pass() {
    Map<Integer, String> unknown = pool.unknown();
    try {
      if (!unknown.isEmpty()) {
        Set<String> held;
        try (Connection c = adminPool.getConnection()) {
          held = claims.heldByAnyone(unknown.values(), c);
        }
        long now = System.nanoTime();
        for (Map.Entry<Integer, String> clone : unknown.entrySet()) {
          if (held.contains(clone.getValue())) {
            noHolderSince.remove(clone.getKey());
            continue;
          }
          if (confirmOrphans && now - noHolderSince.computeIfAbsent(clone.getKey(), i -> now) < NO_HOLDER_CONFIRM_NANOS) {
            continue;
          }
          if (admin.sessionsOn(clone.getValue()) > 0 && !graceOver(clone.getKey())) {
            continue;
          }
          sessionsSeenSince.remove(clone.getKey());
          noHolderSince.remove(clone.getKey());
          pool.orphaned(clone.getKey());
        }
      }
    } catch (SQLException | RuntimeException e) {
      LOG.warn("Could not check the adopted clones of {}; trying again", DatabaseNames.template(pool.hash()), e);
    }
    synchronized (this) {
      if (pool.unknown().isEmpty() || closed.get()) {
        running = false;
        return;
      }
    }
    CompletableFuture.delayedExecutor(PERIOD_MILLIS, TimeUnit.MILLISECONDS, workers).execute(this::pass);
  }

  private boolean graceOver(int index) {
    long now = System.nanoTime();
    long since = sessionsSeenSince.computeIfAbsent(index, i -> now);
    if (now - since < SESSION_GRACE_NANOS) {
      return false;
    }
    LOG.warn("Clone {} has sessions but no holder for {} s; recreating it",
        DatabaseNames.clone(pool.hash(), index), TimeUnit.NANOSECONDS.toSeconds(SESSION_GRACE_NANOS));
    return true;
  }
}
