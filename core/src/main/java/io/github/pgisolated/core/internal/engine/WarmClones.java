package io.github.pgisolated.core.internal.engine;

import io.github.pgisolated.core.UnableToLeaseDatabaseException;
import io.github.pgisolated.core.internal.coordinator.LeaseService.Disposition;
import io.github.pgisolated.core.internal.db.DatabaseNames;
import io.github.pgisolated.core.internal.engine.HeldClone.State;
import io.github.pgisolated.core.internal.report.RunReport;
import io.github.pgisolated.core.internal.reset.InPlaceReset;
import io.github.pgisolated.core.internal.reset.ResetOutcome;
import io.github.pgisolated.core.internal.reset.ResetVerificationException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clones of one template this JVM keeps between its tests (see {@link HeldClone} for a clone's
 * lifecycle): a test takes an idle one, warm connections and all; when it gives it back, the clone
 * is reset in place in the background, while the next test runs on another, and is idle again a
 * few milliseconds later. A clone a reset can't put back goes to the coordinator to be recreated.
 *
 * <p><b>Supply.</b> Clones come from the coordinator. There are always as many idle, resetting or
 * requested clones as tests waiting, plus one spare ({@code pgisolated.prefetch}): so a test never
 * waits for the reset of the clone the previous test used, and a clone that leaves (after DDL) is
 * replaced while the next test runs. Requests run on their own threads; a waiting test takes
 * whatever comes first, a reset clone or a new one, so a JVM whose coordinator has no clone to
 * spare still goes on with the clones it has. Idle clones beyond the spare go back to the
 * coordinator, as they are (they are clean), after {@link #SPARE_IDLE_NANOS}; the spare too once
 * no test has taken one for {@link #ALL_IDLE_NANOS}.
 *
 * <p><b>Concurrency.</b> One lock guards the fields here and the {@code state} and {@code baseline}
 * of every clone in the set; methods named {@code unsafe…} need it. No SQL runs under it: resets
 * and requests run on executors and take the lock to publish their result. Waits are computed from
 * a deadline in nanoseconds; an interrupted wait restores the interrupt flag before it throws. In
 * verification mode the reset runs on the thread that gives the clone back, so that a difference
 * fails the test that caused it.
 */
final class WarmClones {
  private static final Logger LOG = LoggerFactory.getLogger(WarmClones.class);
  static final long SPARE_IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);
  static final long ALL_IDLE_NANOS = TimeUnit.SECONDS.toNanos(3);
  private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final String hash;
  private final TemplateResets resets;
  private final ServerSession engine;
  private final Executor requests;
  private final Executor resetters;
  private final boolean spare;
  private final boolean verify;
  private final RunReport report;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Deque<HeldClone> idle = new ArrayDeque<>();
  private final List<HeldClone> all = new ArrayList<>();
  private int resetting;
  private int requested;
  private int waiters;
  private long lastTakeNanos = System.nanoTime();
  private RuntimeException lastFailure;
  private boolean closed;

  WarmClones(String hash, TemplateResets resets, ServerSession engine, Executor requests, Executor resetters,
      boolean spare, boolean verify, RunReport report) {
    this.hash = hash;
    this.resets = resets;
    this.engine = engine;
    this.requests = requests;
    this.resetters = resetters;
    this.spare = spare;
    this.verify = verify;
    this.report = report;
  }

  /** A clone for a test, now IN_USE; waits until the deadline for one. */
  HeldClone take(long deadlineNanos) {
    long startNanos = System.nanoTime();
    lock.lock();
    waiters++;
    boolean taken = false;
    try {
      if (requested == 0) {
        // A failure of an earlier request (a prefetch) is not this test's: it asks afresh.
        lastFailure = null;
      }
      while (true) {
        if (closed) {
          throw new UnableToLeaseDatabaseException("This pgisolated pool is closed.");
        }
        HeldClone clone = idle.pollFirst();
        if (clone != null) {
          clone.state = State.IN_USE;
          lastTakeNanos = System.nanoTime();
          waiters--;
          taken = true;
          unsafeRequestSupply();
          return clone;
        }
        if (lastFailure != null && resetting == 0 && requested == 0) {
          // Nothing else is on its way: the request's error is this test's.
          throw lastFailure instanceof UnableToLeaseDatabaseException u
              ? new UnableToLeaseDatabaseException(u.getMessage(), u) : lastFailure;
        }
        unsafeRequestSupply();
        long remaining = deadlineNanos - System.nanoTime();
        if (remaining <= 0) {
          throw new UnableToLeaseDatabaseException("Timed out after "
              + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos) + " ms waiting for a database cloned from "
              + DatabaseNames.template(hash) + " (this JVM: " + unsafeState() + ")."
              + (lastFailure == null ? "" : " The last request failed: " + lastFailure.getMessage()) + " "
              + engine.coordinatorShortage(hash), lastFailure);
        }
        changed.awaitNanos(remaining);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnableToLeaseDatabaseException("Interrupted while waiting for a database of template "
          + DatabaseNames.template(hash) + " (" + unsafeState() + ")", e);
    } finally {
      if (!taken) {
        waiters--;
      }
      lock.unlock();
    }
  }

  /**
   * A test gave its clone back. {@code recreateBecause} non-null: it must be recreated (the test
   * failed, left connections open, or asked for it); else it is reset in place if it can be.
   *
   * @throws ResetVerificationException in verification mode, when the reset left it different
   */
  void finish(HeldClone clone, String recreateBecause) {
    InPlaceReset reset = resets.current();
    String because = recreateBecause;
    if (because == null && (reset == null || clone.baseline == null)) {
      because = "reset in place unavailable";
    }
    boolean leaving;
    lock.lock();
    try {
      clone.uses++;
      leaving = because != null || closed;
      if (leaving) {
        unsafeForget(clone);
      } else {
        clone.state = State.RESETTING;
        resetting++;
      }
      unsafeRequestSupply();
    } finally {
      lock.unlock();
    }
    if (leaving) {
      report.recreatedBecause(because != null ? because : "pool closing");
      engine.leave(clone, Disposition.DIRTY);
    } else if (verify) {
      resetNow(clone, reset);
    } else {
      resetters.execute(() -> resetNow(clone, reset));
    }
  }

  /** Whether a test waits here for a clone only the coordinator can give. */
  boolean starving() {
    lock.lock();
    try {
      return waiters > 0 && idle.isEmpty() && resetting == 0 && requested > 0;
    } finally {
      lock.unlock();
    }
  }

  /** A test's clone leaves the set without a reset (kept for debugging); the set asks for another. */
  void detach(HeldClone clone) {
    lock.lock();
    try {
      clone.uses++;
      unsafeForget(clone);
      unsafeRequestSupply();
    } finally {
      lock.unlock();
    }
  }

  /** A clone this set got from the coordinator (see {@link ServerSession#acquireFor}). */
  void arrived(HeldClone clone) {
    boolean surplus;
    lock.lock();
    try {
      requested--;
      surplus = closed;
      if (!surplus) {
        all.add(clone);
        clone.state = State.IDLE;
        clone.idleSince = System.nanoTime();
        idle.addLast(clone);
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (surplus) {
      engine.leave(clone, Disposition.UNCHANGED);
    }
  }

  /** A request to the coordinator failed; a test waiting with nothing else on its way gets the error. */
  void requestFailed(RuntimeException failure) {
    lock.lock();
    try {
      requested--;
      lastFailure = failure;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    LOG.debug("Could not get a database of template {} from the coordinator", DatabaseNames.template(hash), failure);
  }

  private void resetNow(HeldClone clone, InPlaceReset reset) {
    long start = System.nanoTime();
    ResetOutcome outcome;
    ResetVerificationException failed = null;
    try {
      List<Connection> sessions = clone.borrowSessions();
      try {
        outcome = reset.reset(sessions, () -> {
          if (clone.resetter == null) {
            clone.resetter = engine.connect(clone.database.databaseName());
          }
          return clone.resetter;
        }, clone.baseline);
      } finally {
        HeldClone.close(sessions);
      }
    } catch (ResetVerificationException e) {
      failed = e;
      outcome = new ResetOutcome(ResetOutcome.Kind.RECREATE, "verification failed", e.getMessage(), null, 0, 0);
    } catch (SQLException | RuntimeException e) {
      outcome = new ResetOutcome(ResetOutcome.Kind.RECREATE, "reset failed", e.toString(), null, 0, 0);
    }
    boolean keep = outcome.kind() != ResetOutcome.Kind.RECREATE;
    boolean closing;
    lock.lock();
    try {
      resetting--;
      closing = closed;
      if (keep && !closing) {
        clone.baseline = outcome.baseline();
        clone.state = State.IDLE;
        clone.idleSince = System.nanoTime();
        // First in line: its connections are the warmest.
        idle.addFirst(clone);
      } else {
        unsafeForget(clone);
      }
      unsafeRequestSupply();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    switch (outcome.kind()) {
      case RESET -> report.resets().add(System.nanoTime() - start);
      case UNCHANGED -> report.databaseUnchanged();
      case RECREATE -> {
        report.recreatedBecause(outcome.reason());
        LOG.debug("{} is recreated: {}", clone.database.databaseName(), outcome.detail());
      }
      default -> throw new IllegalStateException(outcome.kind().name());
    }
    if (!keep) {
      engine.leave(clone, Disposition.DIRTY);
    } else if (closing) {
      engine.leave(clone, Disposition.UNCHANGED);
    }
    if (failed != null) {
      throw failed;
    }
  }

  /**
   * Sends idle clones this JVM does not need back to the coordinator, as they are: beyond the
   * spare after {@link #SPARE_IDLE_NANOS}, and all of them once no test has taken one for
   * {@link #ALL_IDLE_NANOS}, or at once when {@code othersStarve} (a test of another template
   * waits for the coordinator). Called periodically.
   */
  void trim(long nowNanos, boolean othersStarve) {
    List<HeldClone> leaving = new ArrayList<>();
    lock.lock();
    try {
      boolean unused = othersStarve || waiters == 0 && nowNanos - lastTakeNanos > ALL_IDLE_NANOS
          && all.stream().noneMatch(c -> c.state == State.IN_USE);
      while (!idle.isEmpty() && (unused || idle.size() > 1 && nowNanos - idle.peekLast().idleSince > SPARE_IDLE_NANOS)) {
        HeldClone clone = idle.pollLast();
        unsafeForget(clone);
        leaving.add(clone);
      }
    } finally {
      lock.unlock();
    }
    leaving.forEach(clone -> engine.leave(clone, Disposition.UNCHANGED));
  }

  /**
   * Gives every idle clone back as it is, after waiting briefly for the resets under way, and
   * takes no more. Clones tests still hold are given back when they finish.
   */
  void close() {
    List<HeldClone> leaving;
    lock.lock();
    try {
      closed = true;
      long deadline = System.nanoTime() + CLOSE_WAIT_NANOS;
      while (resetting > 0 && deadline - System.nanoTime() > 0) {
        changed.awaitNanos(deadline - System.nanoTime());
      }
      leaving = new ArrayList<>(idle);
      idle.clear();
      leaving.forEach(this::unsafeForget);
      changed.signalAll();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      leaving = new ArrayList<>(idle);
      idle.clear();
    } finally {
      lock.unlock();
    }
    leaving.forEach(clone -> engine.leave(clone, Disposition.UNCHANGED));
  }

  /** Asks the coordinator for clones until idle, resetting and requested ones cover the waiters and the spare. */
  private void unsafeRequestSupply() {
    int supply = idle.size() + resetting + requested;
    int wanted = waiters + (spare ? 1 : 0);
    while (!closed && supply < wanted) {
      requested++;
      supply++;
      requests.execute(() -> engine.acquireFor(this));
    }
  }

  private void unsafeForget(HeldClone clone) {
    clone.state = State.GONE;
    all.remove(clone);
  }

  private String unsafeState() {
    long inUse = all.stream().filter(c -> c.state == State.IN_USE).count();
    return "idle=" + idle.size() + ", in use=" + inUse + ", resetting=" + resetting + ", requested from the coordinator="
        + requested + ", waiting=" + waiters;
  }

  String hash() {
    return hash;
  }

  TemplateResets resets() {
    return resets;
  }
}
