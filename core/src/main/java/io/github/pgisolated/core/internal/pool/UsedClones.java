package io.github.pgisolated.core.internal.pool;

import io.github.pgisolated.core.internal.db.DatabaseAdmin;
import io.github.pgisolated.core.internal.db.DatabaseClaims;
import io.github.pgisolated.core.internal.report.RunReport;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Used clones waiting to be dropped, off every test's critical path. A clone given back dirty is
 * replaced at once by a new clone under a free name ({@link ClonePool}); the used one waits here
 * and is dropped when no pool of the coordinator is creating a clone or has a test waiting, one
 * after another while that lasts: drops take the CPU and, on PostgreSQL, a barrier every backend
 * answers, so they go where nothing waits for them. When the clones waiting here hold the room a
 * new clone needs ({@code pgisolated.pool.max-databases}), the pool asks for a drop at once.
 *
 * <p>A drop never meets a backend that is still exiting (DROP DATABASE then sleeps 100 ms before it
 * looks again, measured): a clone whose sessions have not all ended yet is passed over and
 * retried, and after {@link #SESSIONS_GRACE_NANOS} dropped with {@code FORCE} anyway (a leaked
 * session, which the drop terminates). What is left when the coordinator closes stays, still marked as a clone: the next
 * coordinator finds it without a holder and drops it the same way.
 *
 * <p>Thread-safe: the queue is guarded by this object's monitor; at most one drop runs at a time.
 * Pools call in only when they do not hold their own lock, and {@link #busy} takes the pools'
 * locks while this monitor is held: so this monitor always comes first, and no two locks are ever
 * taken in the other order.
 */
final class UsedClones {
  private static final Logger LOG = LoggerFactory.getLogger(UsedClones.class);
  /**
   * How long a used clone's sessions may take to end before it is dropped with them: a backend a
   * test closed is gone within milliseconds, one still there after this was leaked and is
   * terminated by the drop.
   */
  static final long SESSIONS_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  private static final long RETRY_MILLIS = 20;

  private final DatabaseAdmin admin;
  private final DatabaseClaims claims;
  private final Executor workers;
  private final Capacity capacity;
  private final BooleanSupplier busy;
  private final RunReport report;
  private final Deque<Entry> queue = new ArrayDeque<>();
  /** Queued or being dropped, readable without the monitor. */
  private final AtomicInteger waiting = new AtomicInteger();
  private boolean dropping;
  private boolean closed;
  private long dropped;

  private record Entry(String name, Runnable droppedCallback, long since) {}

  /**
   * @param busy whether a pool is creating a clone or has a test waiting (then drops wait)
   */
  UsedClones(DatabaseAdmin admin, DatabaseClaims claims, Executor workers, Capacity capacity, RunReport report,
      BooleanSupplier busy) {
    this.report = report;
    this.admin = admin;
    this.claims = claims;
    this.workers = workers;
    this.capacity = capacity;
    this.busy = busy;
  }

  /**
   * A used clone, still claimed by this coordinator and counted in the capacity, to drop;
   * {@code whenDropped} runs once it is gone (its pool may use the name again).
   */
  synchronized void add(String name, Runnable whenDropped) {
    queue.addLast(new Entry(name, whenDropped, System.nanoTime()));
    waiting.incrementAndGet();
  }

  /** Starts dropping if no pool is busy. */
  void dropWhenIdle() {
    start(false);
  }

  /**
   * Starts dropping now: a pool needs the room. Never blocks (pools call it under their lock):
   * the start itself runs on a worker.
   */
  void dropNow() {
    workers.execute(() -> start(true));
  }

  private void start(boolean urgent) {
    if (waiting.get() == 0) {
      return;
    }
    synchronized (this) {
      startLocked(urgent);
    }
  }

  private void startLocked(boolean urgent) {
    if (dropping || closed || queue.isEmpty() || !urgent && busy.getAsBoolean()) {
      return;
    }
    dropping = true;
    workers.execute(() -> dropNext(urgent));
  }

  private void dropNext(boolean urgent) {
    Entry next;
    synchronized (this) {
      next = closed ? null : queue.pollFirst();
      if (next == null) {
        dropping = false;
        return;
      }
    }
    boolean done = false;
    try {
      if (admin.sessionsOn(next.name()) > 0 && System.nanoTime() - next.since() < SESSIONS_GRACE_NANOS) {
        // A backend of the clone is still exiting: its turn comes again a little later.
        synchronized (this) {
          queue.addLast(next);
        }
      } else {
        long start = System.nanoTime();
        admin.drop(next.name());
        report.drops().add(System.nanoTime() - start);
        claims.release(next.name());
        capacity.release();
        waiting.decrementAndGet();
        done = true;
      }
    } catch (SQLException | RuntimeException e) {
      LOG.warn("Could not drop used clone {}; it stays, marked, for a later coordinator", next.name(), e);
    }
    if (done) {
      next.droppedCallback().run();
    }
    synchronized (this) {
      dropped += done ? 1 : 0;
      dropping = false;
    }
    if (done) {
      start(urgent);
    } else {
      CompletableFuture.delayedExecutor(RETRY_MILLIS, TimeUnit.MILLISECONDS, workers).execute(() -> start(urgent));
    }
  }

  /** Used clones waiting to be dropped. Never blocks on a pool (pools call it under their lock). */
  int size() {
    return waiting.get();
  }

  /** Used clones dropped so far. */
  synchronized long dropped() {
    return dropped;
  }

  /** Drops no more: what is left is found and dropped by the next coordinator. */
  synchronized void close() {
    closed = true;
  }
}
