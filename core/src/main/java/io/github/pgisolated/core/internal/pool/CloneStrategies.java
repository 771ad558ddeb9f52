package io.github.pgisolated.core.internal.pool;

import io.github.pgisolated.core.PgIsolatedConfig.CloneStrategy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which strategy {@code CREATE DATABASE … TEMPLATE} copies clones with, picked per server by
 * measurement ({@code pgisolated.clone-strategy=auto} on PostgreSQL 15 and later). {@code FILE_COPY}
 * copies the files and forces two checkpoints, whose cost grows with the dirty buffers the tests
 * leave; {@code WAL_LOG} copies block by block through shared buffers and the WAL, whose cost grows
 * with the template. Which is cheaper depends on the template, the load and where the data lives,
 * so the coordinator times the first clones it makes, under the run's own load, alternating the two
 * ({@link #TRIALS} each), then uses the one with the lower median. A configured strategy is used as
 * it is; before PostgreSQL 15 there is no choice.
 *
 * <p>Thread-safe.
 */
final class CloneStrategies {
  private static final Logger LOG = LoggerFactory.getLogger(CloneStrategies.class);
  static final int TRIALS = 3;

  private final CloneStrategy configured;
  private final boolean choosable;
  private final List<Long> fileCopy = new ArrayList<>();
  private final List<Long> walLog = new ArrayList<>();
  private CloneStrategy chosen;

  CloneStrategies(CloneStrategy configured, int majorVersion) {
    this.configured = configured;
    this.choosable = configured == CloneStrategy.AUTO && majorVersion >= 15;
    this.chosen = choosable ? null : configured == CloneStrategy.AUTO ? CloneStrategy.FILE_COPY : configured;
  }

  /** The strategy for the next clone: the chosen one, or the one still short of trials. */
  synchronized CloneStrategy next() {
    if (chosen != null) {
      return chosen;
    }
    return fileCopy.size() <= walLog.size() ? CloneStrategy.FILE_COPY : CloneStrategy.WAL_LOG;
  }

  /** How long a clone took with a strategy; chooses once both have had their trials. */
  synchronized void took(CloneStrategy strategy, long nanos) {
    if (chosen != null || !choosable) {
      return;
    }
    (strategy == CloneStrategy.WAL_LOG ? walLog : fileCopy).add(nanos);
    if (fileCopy.size() >= TRIALS && walLog.size() >= TRIALS) {
      long file = median(fileCopy);
      long wal = median(walLog);
      chosen = wal < file ? CloneStrategy.WAL_LOG : CloneStrategy.FILE_COPY;
      LOG.info("Clones are made with {} on this server: its median clone took {} ms, against {} ms with {} "
          + "(measured on the first {} of each; pgisolated.clone-strategy sets one)", name(chosen),
          millis(Math.min(file, wal)), millis(Math.max(file, wal)),
          name(chosen == CloneStrategy.WAL_LOG ? CloneStrategy.FILE_COPY : CloneStrategy.WAL_LOG), TRIALS);
    }
  }

  /** The strategy chosen so far, for reports: null while still measuring. */
  synchronized CloneStrategy chosen() {
    return chosen;
  }

  private static long median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }

  private static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.1f", nanos / (double) TimeUnit.MILLISECONDS.toNanos(1));
  }

  private static String name(CloneStrategy strategy) {
    return strategy.name();
  }
}
