package io.github.pgisolated.core.internal.engine;

import io.github.pgisolated.core.internal.db.DatabaseAdmin;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Databases of failed tests kept for debugging, and their clean-up by a later run.
 *
 * <p>A kept clone is renamed from {@code pgisolated_<hash>_0007} to {@code pgisolated_<hash>_k0007}
 * (out of the pools' names, so no pool ever adopts or reuses it) and marked
 * {@code pgisolated:1 kept <hash> run=<pid>@<start millis>}, plus the reason on a second line.
 *
 * <p>The <em>run</em> is the process that started this JVM: the Maven (or IDE) process of a
 * Surefire fork. A kept database stays while that process lives, so every fork of the build that
 * kept it can be inspected after the build's tests; any later JVM drops it once that process has
 * ended (the next {@code mvn test}), or after {@link #MAX_AGE_MILLIS} in any case.
 */
final class KeptDatabases {
  private static final Logger LOG = LoggerFactory.getLogger(KeptDatabases.class);
  private static final Pattern MARKER = Pattern.compile("pgisolated:1 kept ([0-9a-f]{16}) run=(\\d+)@(\\d+) at=(\\d+)(?:\\n.*)?",
      Pattern.DOTALL);
  private static final Pattern KEPT_NAME = Pattern.compile("pgisolated_([0-9a-f]{16})_k([0-9]{4})");
  static final long MAX_AGE_MILLIS = 24L * 60 * 60 * 1000;

  private final DatabaseAdmin admin;
  private final int limit;
  private final AtomicInteger kept = new AtomicInteger();

  KeptDatabases(DatabaseAdmin admin, int limit) {
    this.admin = admin;
    this.limit = limit;
  }

  /** Reserves one of this JVM's keeps; false when the limit is reached. */
  boolean tryReserve() {
    if (kept.incrementAndGet() <= limit) {
      return true;
    }
    kept.decrementAndGet();
    return false;
  }

  void unreserve() {
    kept.decrementAndGet();
  }

  /** Renames and marks a leased clone as kept; returns its new name. The caller holds it. */
  String keep(String clone, String hash, String reason) throws SQLException {
    String keptName = clone.replaceFirst("_([0-9]{4})$", "_k$1");
    admin.terminateSessions(clone);
    admin.rename(clone, keptName);
    String text = reason.replaceAll("[\\p{Cntrl}&&[^\\n]]", " ");
    admin.comment(keptName, "pgisolated:1 kept " + hash + " run=" + runId() + " at=" + System.currentTimeMillis()
        + "\n" + (text.length() > 2000 ? text.substring(0, 2000) : text));
    return keptName;
  }

  /** Drops the kept databases whose run is over (or that are older than a day). */
  void dropThoseOfEndedRuns() {
    try {
      String pattern = "pgisolated\\_%\\_k____";
      // Another role's kept databases (another build's, on a shared server) are its to drop.
      Set<String> droppable = admin.droppableLike(pattern);
      for (Map.Entry<String, String> database : admin.databasesLike(pattern).entrySet()) {
        Matcher name = KEPT_NAME.matcher(database.getKey());
        Matcher marker = MARKER.matcher(database.getValue());
        if (!name.matches() || !marker.matches() || !marker.group(1).equals(name.group(1))
            || !droppable.contains(database.getKey())) {
          continue;
        }
        boolean runOver = !runIsAlive(Long.parseLong(marker.group(2)), Long.parseLong(marker.group(3)));
        boolean tooOld = System.currentTimeMillis() - Long.parseLong(marker.group(4)) > MAX_AGE_MILLIS;
        if (runOver || tooOld) {
          try {
            admin.drop(database.getKey());
            LOG.info("Dropped {}, kept for debugging by an earlier run", database.getKey());
          } catch (SQLException e) {
            LOG.warn("Could not drop {}, kept for debugging by an earlier run: {}", database.getKey(), e.getMessage());
          }
        }
      }
    } catch (SQLException e) {
      LOG.warn("Could not clean up databases kept by earlier runs", e);
    }
  }

  /** The process that started this JVM, as {@code <pid>@<start millis>}. */
  static String runId() {
    ProcessHandle run = ProcessHandle.current().parent().orElse(ProcessHandle.current());
    return run.pid() + "@" + run.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
  }

  private static boolean runIsAlive(long pid, long startMillis) {
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    return process.isPresent() && process.get().isAlive()
        && process.get().info().startInstant().map(Instant::toEpochMilli).orElse(0L) == startMillis;
  }
}
