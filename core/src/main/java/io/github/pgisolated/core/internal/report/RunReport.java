package io.github.pgisolated.core.internal.report;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What pgisolated did for the tests of one JVM, logged as one compact block when the pool closes
 * (the end of the test run), in the spirit of IntegreSQL's strategy report. Turned off with
 * {@code pgisolated.report=false}.
 *
 * <p>{@link #leases} is the time each test waited for its database in {@code lease()} (through
 * the coordinator's socket when this JVM is not the coordinator); {@link #waits} the leases that
 * found no ready clone and waited for one in the coordinator's pool; {@link #recreations} the
 * background drop-and-clone of used clones. The last two are the coordinator's: they cover every
 * JVM it served.
 */
public final class RunReport {
  private final Samples leases = new Samples();
  private final Samples waits = new Samples();
  private final Samples recreations = new Samples();
  private final Samples builds = new Samples();
  private final Samples drops = new Samples();
  private final AtomicInteger reused = new AtomicInteger();
  private final AtomicInteger outOfSpace = new AtomicInteger();
  private final Samples resets = new Samples();
  private final AtomicInteger unchanged = new AtomicInteger();
  private final Map<String, AtomicInteger> recreatedBecause = new ConcurrentHashMap<>();

  public Samples leases() {
    return leases;
  }

  public Samples waits() {
    return waits;
  }

  public Samples recreations() {
    return recreations;
  }

  /** Used clones the coordinator dropped (off the tests' critical path), with the drop's time. */
  public Samples drops() {
    return drops;
  }

  /** Templates this JVM built, with their build time. */
  public Samples builds() {
    return builds;
  }

  /** Clones the coordinator could not make for lack of disk space (each such attempt). */
  public int outOfSpace() {
    return outOfSpace.get();
  }

  public void ranOutOfSpace() {
    outOfSpace.incrementAndGet();
  }

  /** Templates this JVM found ready (built earlier, by this run's other JVMs or an earlier run). */
  public int reused() {
    return reused.get();
  }

  public void templateReused() {
    reused.incrementAndGet();
  }

  /** Resets in place of this JVM's tests' databases (rows and sequences put back), with their time. */
  public Samples resets() {
    return resets;
  }

  /** This JVM's tests whose database needed nothing done: they changed nothing. */
  public int unchanged() {
    return unchanged.get();
  }

  public void databaseUnchanged() {
    unchanged.incrementAndGet();
  }

  /** A test's database must be recreated, and why (a short category, e.g. {@code schema changed}). */
  public void recreatedBecause(String reason) {
    recreatedBecause.computeIfAbsent(reason, r -> new AtomicInteger()).incrementAndGet();
  }

  /** Why this JVM's tests' databases were recreated rather than reset in place: reason to count. */
  public Map<String, Integer> recreationReasons() {
    Map<String, Integer> reasons = new TreeMap<>();
    recreatedBecause.forEach((reason, count) -> reasons.put(reason, count.get()));
    return reasons;
  }

  /** The block that is logged, e.g. for a coordinator JVM. */
  public String format(String who) {
    StringBuilder out = new StringBuilder("pgisolated run report for ").append(who).append(':');
    out.append(String.format(Locale.ROOT, "%n  leases:    %d (time to a database q50 %.2f ms, p99 %.2f ms, max %.1f ms)",
        leases.count(), leases.quantileMillis(0.5), leases.quantileMillis(0.99), leases.quantileMillis(1)));
    if (resets.count() > 0 || unchanged.get() > 0 || !recreatedBecause.isEmpty()) {
      out.append(String.format(Locale.ROOT, "%n  reset in place: %d (q50 %.2f ms, max %.1f ms), %d needed nothing",
          resets.count(), resets.quantileMillis(0.5), resets.quantileMillis(1), unchanged.get()));
      if (!recreatedBecause.isEmpty()) {
        StringBuilder reasons = new StringBuilder();
        recreationReasons().forEach((reason, count) -> reasons.append(reasons.length() == 0 ? "" : ", ")
            .append(reason).append(' ').append(count));
        out.append(String.format(Locale.ROOT, "%n  to recreate: %d (%s)", recreationReasons().values().stream()
            .mapToInt(Integer::intValue).sum(), reasons));
      }
    }
    if (waits.count() > 0 || recreations.count() > 0) {
      out.append(String.format(Locale.ROOT, "%n  waited:    %d leases found no ready clone (waited q50 %.1f ms, max %.1f ms)",
          waits.count(), waits.quantileMillis(0.5), waits.quantileMillis(1)));
      out.append(String.format(Locale.ROOT, "%n  clones made: %d (q50 %.1f ms, max %.1f ms); used ones dropped while idle: %d"
          + " (q50 %.1f ms)", recreations.count(), recreations.quantileMillis(0.5), recreations.quantileMillis(1),
          drops.count(), drops.quantileMillis(0.5)));
    }
    if (outOfSpace.get() > 0) {
      out.append(String.format(Locale.ROOT, "%n  out of space: %d clone(s) could not be made for lack of disk; the pool "
          + "kept the clones it had", outOfSpace.get()));
    }
    out.append(builds.count() == 0
        ? String.format(Locale.ROOT, "%n  templates: none built, %d reused", reused.get())
        : String.format(Locale.ROOT, "%n  templates: %d built (q50 %.0f ms, max %.0f ms), %d reused",
            builds.count(), builds.quantileMillis(0.5), builds.quantileMillis(1), reused.get()));
    return out.toString();
  }
}
