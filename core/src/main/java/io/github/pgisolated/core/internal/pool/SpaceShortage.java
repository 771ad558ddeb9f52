package io.github.pgisolated.core.internal.pool;

import io.github.pgisolated.core.PgIsolatedConfig.CloneStrategy;
import io.github.pgisolated.core.internal.report.RunReport;
import io.github.pgisolated.core.internal.space.OutOfSpace;
import io.github.pgisolated.core.internal.space.SpaceAdvice;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the server's disk has room for another clone, as the coordinator's pools last found
 * it; shared by them all (they share the disk).
 *
 * <p>Once a clone fails for lack of space ({@link OutOfSpace}), the pools stop growing: each
 * keeps the clones it has, and recycles them (a used clone is dropped before its replacement is
 * made, instead of after). A new clone is tried again only when room was freed: one for each
 * clone dropped since ({@link #freed}), or after old templates were collected, or, as a probe
 * for room freed by someone else, after a backoff that doubles from 1 s to a minute. A probe
 * that succeeds ends the shortage and the pools grow again. So a full disk costs a handful of
 * failed attempts, not a retry storm, and its warning is logged once per shortage.
 *
 * <p>While space is short (or under {@link #WAL_LOG_MINIMUM} usable where the data directory can
 * be seen), clones are copied with FILE_COPY: a WAL_LOG copy that finds the disk full fails in
 * the WAL, which PostgreSQL answers with a PANIC and a restart whose recovery fails too (measured
 * on PostgreSQL 18), where FILE_COPY fails with an error and leaves nothing behind.
 *
 * <p>Thread-safe: one monitor, never held while calling anything that takes another lock (pools
 * call in under their own lock).
 */
final class SpaceShortage {
  private static final Logger LOG = LoggerFactory.getLogger(SpaceShortage.class);
  static final long WAL_LOG_MINIMUM = 1L << 30;
  private static final long FIRST_PROBE_MILLIS = 1_000;
  private static final long LAST_PROBE_MILLIS = 60_000;

  private final SpaceAdvice advice;
  private final LongSupplier freeOldTemplates;
  private final Executor workers;
  private final RunReport report;
  private boolean shortOfSpace;
  private int credits;
  private boolean probing;
  private long probeMillis = FIRST_PROBE_MILLIS;
  private long nextProbeNanos;
  private boolean collecting;
  private int attempts;
  private String lastFailure = "";
  private boolean walLogAvoidedLogged;

  /**
   * @param freeOldTemplates drops the templates nobody uses (with their clones) and returns the
   *     bytes freed; run on a worker when space runs out
   */
  SpaceShortage(SpaceAdvice advice, LongSupplier freeOldTemplates, Executor workers, RunReport report) {
    this.advice = advice;
    this.freeOldTemplates = freeOldTemplates;
    this.workers = workers;
    this.report = report;
  }

  /**
   * Whether a pool may start one more clone now; when space is short this uses up a freed
   * clone's room or the next probe. Never blocks.
   */
  synchronized boolean mayCreate() {
    if (!shortOfSpace) {
      return true;
    }
    if (credits > 0) {
      credits--;
      return true;
    }
    if (!collecting && System.nanoTime() - nextProbeNanos >= 0) {
      // The next probe waits its turn even if this one never reports back (its name was taken,
      // say): a probe is a time, not a token.
      probing = true;
      nextProbeNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(probeMillis);
      return true;
    }
    return false;
  }

  /** Whether space is short now. */
  synchronized boolean isShort() {
    return shortOfSpace;
  }

  /** Whether, short of space, old templates are still being dropped (waiters then wait for that). */
  synchronized boolean collecting() {
    return collecting;
  }

  /** A clone or template was dropped: its room may take a new clone. */
  synchronized void freed() {
    if (shortOfSpace) {
      credits++;
    }
  }

  /** A clone was made: a probe that succeeds means room came back, and the pools grow again. */
  void created() {
    boolean ended;
    synchronized (this) {
      ended = shortOfSpace && probing;
      if (ended) {
        shortOfSpace = false;
        probing = false;
        credits = 0;
        probeMillis = FIRST_PROBE_MILLIS;
      }
    }
    if (ended) {
      LOG.info("There is room for clones again {}; the pools grow again as tests need", advice.where());
    }
  }

  /**
   * A clone failed: true when for lack of space (the pool then gives it up instead of retrying).
   * The first such failure of a shortage is logged, with what to do, and old templates are
   * dropped to make room; later ones only counted.
   */
  boolean ranOut(String clone, String templateName, Exception failure) {
    if (!OutOfSpace.is(failure)) {
      return false;
    }
    boolean first;
    String what = "making clone " + clone + " of " + templateName + ": " + OutOfSpace.message(failure) + ".";
    String message = "Out of disk space " + advice.where() + " " + what;
    synchronized (this) {
      attempts++;
      first = !shortOfSpace;
      if (probing) {
        probeMillis = Math.min(probeMillis * 2, LAST_PROBE_MILLIS);
      }
      shortOfSpace = true;
      probing = false;
      nextProbeNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(probeMillis);
      lastFailure = what;
      if (first) {
        collecting = true;
      }
    }
    report.ranOutOfSpace();
    if (first) {
      LOG.warn("{} The pools keep the clones they have and make new ones only as room is freed; dropping old "
          + "templates nobody uses. {}", message, advice.whatToChange());
      workers.execute(this::collect);
    } else {
      LOG.debug("{} (attempt {} that ran out of space)", message, attempts);
    }
    return true;
  }

  /** Drops old templates; what that freed is room for new clones at once. */
  private void collect() {
    long bytes = 0;
    try {
      bytes = freeOldTemplates.getAsLong();
    } catch (RuntimeException e) {
      LOG.debug("Could not drop old templates to make room", e);
    } finally {
      synchronized (this) {
        collecting = false;
        if (bytes > 0) {
          // Room of unknown size: the next clone is a probe, and may go at once.
          nextProbeNanos = System.nanoTime();
        }
      }
    }
    if (bytes > 0) {
      LOG.info("Dropped old templates for {} MB to make room for clones", (bytes + (1 << 19)) >> 20);
    }
  }

  /**
   * The strategy to copy the next clone with: FILE_COPY instead of WAL_LOG while space is short
   * (see the class comment).
   */
  CloneStrategy strategy(CloneStrategy wanted) {
    if (wanted != CloneStrategy.WAL_LOG) {
      return wanted;
    }
    boolean tight = isShort() || advice.usableBytes().filter(usable -> usable < WAL_LOG_MINIMUM).isPresent();
    if (!tight) {
      return wanted;
    }
    synchronized (this) {
      if (!walLogAvoidedLogged) {
        walLogAvoidedLogged = true;
        LOG.info("Copying clones with FILE_COPY, not WAL_LOG: space is short {}, and a WAL_LOG copy that fills the "
            + "disk makes PostgreSQL PANIC", advice.where());
      }
    }
    return CloneStrategy.FILE_COPY;
  }

  /**
   * Why a pool can't make clones, for the error its waiters get: the last failure, where and how
   * much is left, and what to change; "" when space is not short.
   */
  synchronized String explanation() {
    if (!shortOfSpace) {
      return "";
    }
    return " Out of disk space " + advice.where() + " " + lastFailure + " " + attempts + " attempt(s) so far ran out of space; the pools make new clones only "
        + "as room is freed. " + advice.whatToChange();
  }
}
