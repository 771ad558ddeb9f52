package io.github.pgisolated.core.internal.pool;

import io.github.pgisolated.core.UnableToLeaseDatabaseException;
import io.github.pgisolated.core.internal.coordinator.CoordinatorUnavailableException;
import io.github.pgisolated.core.internal.coordinator.LeaseService.Disposition;
import io.github.pgisolated.core.internal.db.DatabaseAdmin;
import io.github.pgisolated.core.internal.db.DatabaseClaims;
import io.github.pgisolated.core.internal.db.DatabaseNames;
import io.github.pgisolated.core.internal.pool.Clone.State;
import io.github.pgisolated.core.internal.report.RunReport;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The warm pool of clones of one finished template.
 *
 * <p><b>Sizing.</b> The pool keeps {@code initialSize} clones that are not leased (ready, or on
 * their way to ready), plus one for every waiting thread, up to {@code maxSize} clones in all,
 * and within the global {@link Capacity} shared with the other templates' pools. When the global
 * cap stops it from growing, it asks for room ({@code needRoom}), and the coordinator takes a
 * ready clone from the pool that has gone longest without a lease ({@link #shrinkOne}). So a
 * burst of leases grows the pool, a template nobody leases any more gives its room back, and a
 * returned clone is recreated in the background before anyone gets it again (see {@link Clone}
 * for the lifecycle).
 *
 * <p><b>Concurrency.</b> One {@link ReentrantLock} guards every field; methods whose names start
 * with {@code unsafe} require it. No SQL ever runs under the lock: database work runs on the
 * shared {@code workers} executor (bounded by {@code pgisolated.pool.parallel-tasks}) and takes
 * the lock only to publish its result. Waits are computed from a deadline in nanoseconds, and an
 * interrupted wait restores the interrupt flag before it throws.
 */
final class ClonePool {
  private static final Logger LOG = LoggerFactory.getLogger(ClonePool.class);
  private static final int MAX_FAILURES_IN_A_ROW = 3;

  private final String hash;
  private final String templateName;
  private final int initialSize;
  private final int maxSize;
  private final Capacity capacity;
  private final Runnable needRoom;
  private final RunReport report;
  private final CloneRecycler recycler;
  private final Supplier<String> description;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Deque<Clone> ready = new ArrayDeque<>();
  private final Map<Integer, Clone> clones = new TreeMap<>();
  private int nextIndex = 1;
  private long lastLeaseNanos = System.nanoTime();
  private int leased;
  /** Adopted clones whose holder is unknown: neither supply nor capacity until resolved. */
  private int unknown;
  private int waiters;
  private boolean closed;
  private Exception lastFailure;
  private long lastFailureNanos;
  private int failuresInARow;

  ClonePool(String hash, DatabaseAdmin admin, DatabaseClaims claims, Executor workers, int initialSize, int maxSize,
      Capacity capacity, Runnable needRoom, RunReport report, Supplier<String> description) {
    this.report = report;
    this.recycler = new CloneRecycler(hash, admin, claims, workers, report);
    this.capacity = capacity;
    this.needRoom = needRoom;
    this.hash = hash;
    this.templateName = DatabaseNames.template(hash);
    this.initialSize = initialSize;
    this.maxSize = maxSize;
    this.description = description;
  }

  String hash() {
    return hash;
  }

  /** Starts filling the pool in the background. */
  void start() {
    lock.lock();
    try {
      unsafeEnsureSupply();
    } finally {
      lock.unlock();
    }
  }

  /** A ready clone, now leased; waits until the deadline for one. */
  Leased lease(long deadlineNanos, long startNanos) {
    lock.lock();
    boolean waiting = false;
    try {
      while (true) {
        if (closed) {
          // Retryable: the coordinator is going away; the caller asks the next one.
          throw new CoordinatorUnavailableException("The pgisolated pool of template " + templateName + " is closed.");
        }
        Clone clone = ready.pollFirst();
        if (clone != null) {
          lastLeaseNanos = System.nanoTime();
          clone.state = State.LEASED;
          clone.generation++;
          leased++;
          if (waiting) {
            waiting = false;
            waiters--;
            report.waits().add(System.nanoTime() - startNanos);
          }
          unsafeEnsureSupply();
          return new Leased(clone.name, clone.index, clone.generation, startNanos);
        }
        unsafeThrowIfFailing();
        long remaining = deadlineNanos - System.nanoTime();
        if (remaining <= 0) {
          throw unsafeTimeout(startNanos);
        }
        if (!waiting) {
          waiting = true;
          waiters++;
          unsafeEnsureSupply();
        }
        // Wake at least every 100 ms so a backoff that ends is noticed without a signal.
        changed.awaitNanos(Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(100)));
        unsafeEnsureSupply();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnableToLeaseDatabaseException("Interrupted while waiting for a database from template "
          + templateName + " (" + unsafeStatistics() + ")", e);
    } finally {
      if (waiting) {
        waiters--;
      }
      lock.unlock();
    }
  }

  /**
   * What a lease holds: the clone's name, index and the generation it was leased at, and when
   * the lease was asked for.
   */
  record Leased(String name, int index, int generation, long requestedNanos) {}

  /**
   * Takes over a marked clone found in PostgreSQL whose holder is unknown (left by an earlier run
   * or a dead coordinator). The caller has claimed it. It is neither leased nor recreated until
   * {@link #reclaim} or {@link #orphaned} says what it is.
   */
  void adopt(int index) {
    lock.lock();
    try {
      if (clones.containsKey(index) || closed) {
        return;
      }
      Clone clone = new Clone(index, DatabaseNames.clone(hash, index));
      clone.state = State.UNKNOWN;
      clones.put(index, clone);
      unknown++;
      capacity.force();
      nextIndex = Math.max(nextIndex, index + 1);
    } finally {
      lock.unlock();
    }
  }

  /** Whether the pool already has a clone with this index. */
  boolean owns(int index) {
    lock.lock();
    try {
      return clones.containsKey(index);
    } finally {
      lock.unlock();
    }
  }

  /** A holder from before a takeover still holds this clone: it is leased to it again. */
  Leased reclaim(int index) {
    lock.lock();
    try {
      Clone clone = clones.get(index);
      if (clone == null || clone.state != State.UNKNOWN) {
        return null;
      }
      clone.state = State.LEASED;
      clone.generation++;
      leased++;
      unknown--;
      return new Leased(clone.name, clone.index, clone.generation, System.nanoTime());
    } finally {
      lock.unlock();
    }
  }

  /** The clones whose holder is still unknown. */
  Map<Integer, String> unknown() {
    lock.lock();
    try {
      Map<Integer, String> result = new TreeMap<>();
      for (Clone clone : clones.values()) {
        if (clone.state == State.UNKNOWN) {
          result.put(clone.index, clone.name);
        }
      }
      return result;
    } finally {
      lock.unlock();
    }
  }

  /** Nobody holds this adopted clone: it is dirty, and recreated. */
  void orphaned(int index) {
    lock.lock();
    try {
      Clone clone = clones.get(index);
      if (clone != null && clone.state == State.UNKNOWN && !closed) {
        clone.state = State.DIRTY;
        unknown--;
        recycler.recreate(this, clone, 0);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Takes a clone back; it is recreated before it is leased again. A stale give-back is ignored. */
  void giveBack(int index, int generation) {
    giveBack(index, generation, Disposition.DIRTY);
  }

  /**
   * Takes a clone back. {@code DIRTY}: recreated before it is leased again; {@code UNCHANGED}:
   * ready again at once; {@code KEPT}: leaves the pool (its holder keeps it for debugging). A
   * stale give-back is ignored.
   */
  void giveBack(int index, int generation, Disposition disposition) {
    boolean kept = false;
    lock.lock();
    try {
      Clone clone = clones.get(index);
      if (clone == null || clone.state != State.LEASED || clone.generation != generation) {
        return;
      }
      leased--;
      switch (disposition) {
        case UNCHANGED -> {
          clone.state = State.READY;
          ready.addLast(clone);
          changed.signalAll();
        }
        case KEPT -> {
          clones.remove(index);
          capacity.release();
          kept = true;
          unsafeEnsureSupply();
        }
        default -> {
          clone.state = State.DIRTY;
          if (!closed) {
            recycler.recreate(this, clone, 0);
          }
        }
      }
    } finally {
      lock.unlock();
    }
    if (kept) {
      recycler.releaseClaim(DatabaseNames.clone(hash, index));
    }
  }

  /**
   * Gives one ready clone's room back to the global capacity (dropping it), for another
   * template's pool that needs room. False when this pool has no ready clone to spare.
   */
  boolean shrinkOne() {
    Clone victim;
    lock.lock();
    try {
      victim = ready.pollLast();
      if (victim == null) {
        return false;
      }
      clones.remove(victim.index);
    } finally {
      lock.unlock();
    }
    recycler.dropAndRelease(victim.name);
    capacity.release();
    return true;
  }

  /** When this pool last leased a clone, for choosing which pool gives room back. */
  long lastLeaseNanos() {
    lock.lock();
    try {
      return lastLeaseNanos;
    } finally {
      lock.unlock();
    }
  }

  /** Whether this pool has a ready clone it could give back. */
  boolean hasReady() {
    lock.lock();
    try {
      return !ready.isEmpty();
    } finally {
      lock.unlock();
    }
  }

  PoolStatistics statistics() {
    lock.lock();
    try {
      return unsafeStatistics();
    } finally {
      lock.unlock();
    }
  }

  /** Stops creating clones; leases still out stay valid, and give-backs are then ignored. */
  void close() {
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private PoolStatistics unsafeStatistics() {
    return new PoolStatistics(ready.size(), leased, clones.size() - ready.size() - leased, waiters, maxSize);
  }

  /** Adds clones until the pool has enough on their way to ready (see the class comment). */
  private void unsafeEnsureSupply() {
    if (closed || unsafeInBackoff()) {
      return;
    }
    // Adopted clones of unknown state are not supply (they may be a running test's), but they
    // count against the maximum: the resolver turns them into supply within moments.
    int notLeased = clones.size() - leased - unknown;
    while (notLeased < initialSize + waiters && clones.size() < maxSize) {
      if (!capacity.tryReserve()) {
        if (waiters > 0) {
          needRoom.run();
        }
        return;
      }
      Clone clone = new Clone(nextIndex, DatabaseNames.clone(hash, nextIndex));
      nextIndex++;
      clones.put(clone.index, clone);
      notLeased++;
      recycler.create(this, clone);
    }
  }

  private boolean unsafeInBackoff() {
    return failuresInARow > 0 && System.nanoTime() - lastFailureNanos < backoffNanos(failuresInARow);
  }

  private static long backoffNanos(int failures) {
    return TimeUnit.MILLISECONDS.toNanos(Math.min(100L << Math.min(failures, 6), 5_000));
  }

  /** The recycler skips an index someone else owns: the pool forgets it and tries another. */
  void forget(Clone clone) {
    lock.lock();
    try {
      clones.remove(clone.index);
      capacity.release();
      unsafeEnsureSupply();
    } finally {
      lock.unlock();
    }
  }

  /** The recycler is about to drop and clone: false when the pool is closed (then it leaves it). */
  boolean beginRecreate(Clone clone) {
    lock.lock();
    try {
      if (closed) {
        return false;
      }
      clone.state = State.RECREATING;
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** The recycler cloned it: ready for a lease. */
  void recreated(Clone clone) {
    lock.lock();
    try {
      clone.state = State.READY;
      clone.failuresInARow = 0;
      failuresInARow = 0;
      ready.addLast(clone);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The recycler could not (re)create it: retried with backoff, given up after three in a row. */
  void failed(Clone clone, Exception e) {
    boolean givenUp = false;
    lock.lock();
    try {
      lastFailure = e;
      lastFailureNanos = System.nanoTime();
      failuresInARow++;
      clone.failuresInARow++;
      clone.state = State.DIRTY;
      if (closed) {
        return;
      }
      if (clone.failuresInARow >= MAX_FAILURES_IN_A_ROW) {
        LOG.warn("Giving up on clone {} after {} failures in a row", clone.name, clone.failuresInARow, e);
        clones.remove(clone.index);
        capacity.release();
        givenUp = true;
      } else {
        LOG.warn("Could not (re)create clone {} from {}; retrying", clone.name, templateName, e);
        recycler.recreate(this, clone, TimeUnit.NANOSECONDS.toMillis(backoffNanos(clone.failuresInARow)));
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (givenUp) {
      // Outside the lock: no SQL ever runs under it.
      recycler.releaseClaim(clone.name);
    }
  }

  /** Waiters fail fast, with the cause, once clones keep failing and none is on its way. */
  private void unsafeThrowIfFailing() {
    if (failuresInARow >= MAX_FAILURES_IN_A_ROW && clones.isEmpty()) {
      throw new UnableToLeaseDatabaseException("No database could be created from template " + templateName
          + " on " + description.get() + " after " + failuresInARow + " attempts (" + unsafeStatistics()
          + "): " + lastFailure + ". Check the server's log and free disk space.", lastFailure);
    }
  }

  /** The pool's state and, when it is short of clones for a reason, that reason: for timeout messages. */
  String shortage() {
    lock.lock();
    try {
      return unsafeStatistics() + "." + unsafeShortageCause();
    } finally {
      lock.unlock();
    }
  }

  private String unsafeShortageCause() {
    String cause = lastFailure == null ? "" : " The last attempt to create a clone failed: " + lastFailure + ".";
    if (capacity.used() >= capacity.limit()) {
      cause += " All " + capacity.limit() + " databases pgisolated.pool.max-databases allows are in use by this and "
          + "other templates' pools; raise it, or run fewer different templates at once.";
    }
    return cause;
  }

  private UnableToLeaseDatabaseException unsafeTimeout(long startNanos) {
    long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    String cause = unsafeShortageCause();
    return new UnableToLeaseDatabaseException("Timed out after " + waitedMillis
        + " ms waiting for a database cloned from " + templateName + " on " + description.get() + " ("
        + unsafeStatistics() + ")." + cause + " Raise pgisolated.pool.max-size (now " + maxSize
        + ") or pgisolated.lease-timeout, or check that tests give their databases back: a lease that is never "
        + "closed keeps its clone.", lastFailure);
  }
}
