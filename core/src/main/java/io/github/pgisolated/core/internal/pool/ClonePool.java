package io.github.pgisolated.core.internal.pool;

import io.github.pgisolated.core.UnableToLeaseDatabaseException;
import io.github.pgisolated.core.internal.coordinator.CoordinatorUnavailableException;
import io.github.pgisolated.core.internal.coordinator.LeaseService.Disposition;
import io.github.pgisolated.core.internal.db.DatabaseNames;
import io.github.pgisolated.core.internal.pool.Clone.State;
import io.github.pgisolated.core.internal.report.RunReport;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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
 * for the lifecycle). A full disk stops the growth too: the pools then keep the clones they have
 * and recycle them ({@link SpaceShortage}).
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
  /** Clones the pool keeps in all (leased or not) at least: what the last run needed at its peak. */
  private final int floor;
  private final int maxSize;
  private final Capacity capacity;
  private final Runnable needRoom;
  private final RunReport report;
  private final CloneRecycler recycler;
  private final Supplier<String> description;
  private final UsedClones used;
  private final int parallel;
  private final SpaceShortage space;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Deque<Clone> ready = new ArrayDeque<>();
  private final Map<Integer, Clone> clones = new TreeMap<>();
  /** Indexes of used clones this pool gave to {@link UsedClones}, whose databases still exist. */
  private final Set<Integer> discarded = new TreeSet<>();
  /** Indexes another pool on the server claims: never this pool's to use. */
  private final Set<Integer> foreign = new TreeSet<>();
  private long lastLeaseNanos = System.nanoTime();
  private int leased;
  /** Clones being created or recreated (or waiting for a worker to do so). */
  private int creating;
  private final Demand demand = new Demand();
  /** Adopted clones whose holder is unknown: neither supply nor capacity until resolved. */
  private int unknown;
  private int waiters;
  private boolean closed;
  private Exception lastFailure;
  private long lastFailureNanos;
  private int failuresInARow;

  /**
   * @param initialSize clones kept ready beyond those leased ({@code pgisolated.pool.initial-size})
   * @param floor clones kept in all at least (the last run's peak)
   * @param maxSize clones at most ({@code pgisolated.pool.max-size})
   * @param parallel clones made at once while tests wait ({@code pgisolated.pool.parallel-tasks})
   * @param needRoom asks the other pools for room under the global cap
   */
  ClonePool(String hash, PoolServices services, int initialSize, int floor, int maxSize, int parallel,
      Runnable needRoom) {
    this.floor = Math.min(floor, maxSize);
    this.used = services.used();
    this.parallel = parallel;
    this.space = services.space();
    this.report = services.report();
    this.recycler = new CloneRecycler(hash, services);
    this.capacity = services.capacity();
    Supplier<String> description = services.description();
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
          demand.leased(leased);
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

  /**
   * Nobody holds this adopted clone: it is dirty, so it is dropped when the coordinator is idle,
   * and the pool makes a new one if it needs one.
   */
  void orphaned(int index) {
    Clone discarding = null;
    lock.lock();
    try {
      Clone clone = clones.get(index);
      if (clone != null && clone.state == State.UNKNOWN && !closed) {
        unknown--;
        discarding = unsafeDiscard(clone);
        unsafeEnsureSupply();
      }
    } finally {
      lock.unlock();
    }
    handOver(discarding);
  }

  /**
   * An adopted clone a coordinator stamped clean when it closed, and nobody has connected to since:
   * it is in its template's state, ready at once.
   */
  void adoptedClean(int index) {
    lock.lock();
    try {
      Clone clone = clones.get(index);
      if (clone != null && clone.state == State.UNKNOWN && !closed) {
        unknown--;
        clone.state = State.READY;
        ready.addLast(clone);
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Takes a clone out of the pool into the used clones (the caller hands it over after unlocking). */
  private Clone unsafeDiscard(Clone clone) {
    clone.state = State.DIRTY;
    clones.remove(clone.index);
    discarded.add(clone.index);
    demand.usedUp();
    return clone;
  }

  /** Outside the lock: the used clone waits for the coordinator to be idle, then goes. */
  private void handOver(Clone discarded) {
    if (discarded == null) {
      return;
    }
    used.add(discarded.name, () -> {
      space.freed();
      indexFree(discarded.index);
    });
    used.dropWhenIdle();
  }

  private void indexFree(int index) {
    lock.lock();
    try {
      discarded.remove(index);
      if (space.isShort()) {
        // Its room is the room the next clone needs: make it now (see SpaceShortage).
        unsafeEnsureSupply();
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
    Clone discarding = null;
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
          if (closed) {
            // The coordinator is going: the clone stays, marked, for the next one to drop.
            clone.state = State.DIRTY;
          } else {
            // Replaced at once by a new clone under a free name; the used one is dropped later.
            discarding = unsafeDiscard(clone);
            unsafeEnsureSupply();
          }
        }
      }
    } finally {
      lock.unlock();
    }
    if (kept) {
      recycler.releaseClaim(DatabaseNames.clone(hash, index));
    }
    handOver(discarding);
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
    return new PoolStatistics(ready.size(), leased, clones.size() - ready.size() - leased, waiters, maxSize,
        discarded.size());
  }

  /** Adds clones until the pool has enough on their way to ready (see the class comment). */
  private void unsafeEnsureSupply() {
    if (closed || unsafeInBackoff()) {
      return;
    }
    // Adopted clones of unknown state are not supply (they may be a running test's), but they
    // count against the maximum: the resolver turns them into supply within moments.
    int notLeased = clones.size() - leased - unknown;
    // One clone at a time while nobody waits: creating takes the CPU the tests run on.
    int limit = waiters > 0 ? parallel : 1;
    int wanted = Math.max(initialSize + waiters, floor - leased);
    while (notLeased < wanted && clones.size() < maxSize && creating < limit) {
      if (!capacity.tryReserve()) {
        if (used.size() > 0) {
          // Used clones hold the room: drop one now rather than when the coordinator is idle.
          used.dropNow();
        } else if (waiters > 0) {
          needRoom.run();
        }
        return;
      }
      if (!space.mayCreate()) {
        capacity.release();
        // Short of disk: a used clone's room is the only room there is (see SpaceShortage).
        if (used.size() > 0) {
          used.dropNow();
        }
        return;
      }
      int index = unsafeFreeIndex();
      Clone clone = new Clone(index, DatabaseNames.clone(hash, index));
      clones.put(clone.index, clone);
      notLeased++;
      creating++;
      recycler.create(this, clone);
    }
  }

  /** The lowest index neither a clone of this pool nor a used one still has. */
  private int unsafeFreeIndex() {
    for (int index = 1; ; index++) {
      if (!clones.containsKey(index) && !discarded.contains(index) && !foreign.contains(index)) {
        return index;
      }
    }
  }

  /** Whether the pool is creating a clone or has a test waiting (then used clones are not dropped). */
  boolean busy() {
    lock.lock();
    try {
      return creating > 0 || waiters > 0;
    } finally {
      lock.unlock();
    }
  }

  /** What this pool was asked for so far, for the next run. */
  io.github.pgisolated.core.internal.db.DatabaseNames.Demand demand() {
    lock.lock();
    try {
      return demand.figures();
    } finally {
      lock.unlock();
    }
  }

  /** The ready clones' names, for the coordinator's clean stamp when it closes. */
  java.util.List<String> readyNames() {
    lock.lock();
    try {
      return ready.stream().map(c -> c.name).toList();
    } finally {
      lock.unlock();
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
      creating--;
      foreign.add(clone.index);
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
        creating--;
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
      creating--;
      clone.state = State.READY;
      clone.failuresInARow = 0;
      failuresInARow = 0;
      ready.addLast(clone);
      changed.signalAll();
      space.created();
      unsafeEnsureSupply();
    } finally {
      lock.unlock();
    }
    // Nothing more to make, maybe: the used clones' turn.
    used.dropWhenIdle();
  }

  /** The recycler could not (re)create it: retried with backoff, given up after three in a row. */
  void failed(Clone clone, Exception e) {
    boolean givenUp = false;
    // Outside the lock: it logs, and starts dropping old templates.
    boolean outOfSpace = space.ranOut(clone.name, templateName, e);
    lock.lock();
    try {
      lastFailure = e;
      lastFailureNanos = System.nanoTime();
      if (!outOfSpace) {
        // A full disk has a backoff of its own, shared by the pools (SpaceShortage).
        failuresInARow++;
      }
      clone.failuresInARow++;
      clone.state = State.DIRTY;
      if (closed) {
        creating--;
        return;
      }
      if (outOfSpace) {
        // Not retried: the pool keeps the clones it has until room is freed (SpaceShortage).
        creating--;
        clones.remove(clone.index);
        capacity.release();
        givenUp = true;
      } else if (clone.failuresInARow >= MAX_FAILURES_IN_A_ROW) {
        LOG.warn("Giving up on clone {} after {} failures in a row", clone.name, clone.failuresInARow, e);
        creating--;
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
    if (clones.isEmpty() && discarded.isEmpty() && space.isShort() && !space.collecting()) {
      throw new UnableToLeaseDatabaseException("No database could be made from template " + templateName + " on "
          + description.get() + ": the pool has no clone left to recycle (" + unsafeStatistics() + ")."
          + space.explanation(), lastFailure);
    }
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
    return cause + space.explanation();
  }

  private UnableToLeaseDatabaseException unsafeTimeout(long startNanos) {
    long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    String cause = unsafeShortageCause();
    return new UnableToLeaseDatabaseException("Timed out after " + waitedMillis
        + " ms waiting for a database cloned from " + templateName + " on " + description.get() + " ("
        + unsafeStatistics() + ")." + cause + (space.isShort() ? " Or raise pgisolated.lease-timeout, or check"
        : " Raise pgisolated.pool.max-size (now " + maxSize + ") or pgisolated.lease-timeout, or check")
        + " that tests give their databases back: a lease that is never closed keeps its clone.", lastFailure);
  }
}
