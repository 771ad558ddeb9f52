package io.github.pgisolated.core.internal.space;

import io.github.pgisolated.core.PgIsolatedConfig;
import io.github.pgisolated.core.PgIsolatedConfig.DiskBudget;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * The parts of an out-of-space error that say where the disk is full, how much is left there and
 * what to change: the user can't see the pool's numbers, so the message carries them (HikariCP's
 * style: what happened, the state, what to do).
 */
public final class SpaceAdvice {
  private final Optional<Path> dataDirectory;
  private final PgIsolatedConfig config;
  /** The file system of the data directory once found; null until then. */
  private volatile FileStore store;

  /**
   * @param dataDirectory where the server keeps its data, when this JVM can see it (the embedded
   *     server's); empty for a server elsewhere
   */
  public SpaceAdvice(Optional<Path> dataDirectory, PgIsolatedConfig config) {
    this.dataDirectory = dataDirectory;
    this.config = config;
  }

  /** Bytes usable now where the data is; empty when that can't be seen. */
  public Optional<Long> usableBytes() {
    return store().map(store -> {
      try {
        return store.getUsableSpace();
      } catch (IOException e) {
        return null;
      }
    });
  }

  /**
   * Where, and how much is left: "in /dev/shm/x/data (3 MB usable of 100 MB)", or, for a server
   * whose data this JVM can't see, that it can't and where to look.
   */
  public String where() {
    if (dataDirectory.isEmpty()) {
      return "on the server's disk (its data directory is not visible from this JVM: look at the free space where "
          + "that server keeps its data)";
    }
    Path directory = dataDirectory.get();
    Optional<FileStore> store = store();
    if (store.isEmpty()) {
      return "in " + directory + " (its free space could not be read)";
    }
    try {
      return "in " + directory + " (" + megabytes(store.get().getUsableSpace()) + " usable of "
          + megabytes(store.get().getTotalSpace()) + " on " + store.get().name() + ")";
    } catch (IOException e) {
      return "in " + directory + " (its free space could not be read: " + e.getMessage() + ")";
    }
  }

  /** What to lower, with today's values, or where to move the data. */
  public String whatToChange() {
    String move = dataDirectory.isPresent()
        ? ", or point pgisolated.embedded.data-directory at a bigger disk"
        : ", or give the server more disk";
    return "Make room: lower pgisolated.pool.max-size (now " + config.poolMaxSize() + "), pgisolated.pool.initial-size "
        + "(now " + config.poolInitialSize() + "), pgisolated.pool.max-databases (now " + config.poolMaxDatabases()
        + ") or pgisolated.pool.disk-budget (now " + budget(config.poolDiskBudget()) + "), lower "
        + "pgisolated.template.keep (now " + config.templateKeep() + ") so fewer old templates stay" + move + ".";
  }

  private Optional<FileStore> store() {
    // Found once: finding it reads the mount table, and the pool asks before each WAL_LOG clone.
    FileStore known = store;
    if (known != null) {
      return Optional.of(known);
    }
    Optional<FileStore> found = findStore();
    found.ifPresent(f -> store = f);
    return found;
  }

  private Optional<FileStore> findStore() {
    if (dataDirectory.isEmpty()) {
      return Optional.empty();
    }
    // The data directory itself may be gone or unreadable (another account owns it): its parents
    // are on the same file system, or at least nearer to it than nothing.
    for (Path p = dataDirectory.get().toAbsolutePath(); p != null; p = p.getParent()) {
      try {
        if (Files.exists(p)) {
          return Optional.of(Files.getFileStore(p));
        }
      } catch (IOException | SecurityException e) {
        // Try the parent.
      }
    }
    return Optional.empty();
  }

  static String megabytes(long bytes) {
    return bytes >= 10L << 20 ? (bytes + (1 << 19) >> 20) + " MB"
        : String.format(Locale.ROOT, "%.1f MB", bytes / (double) (1 << 20));
  }

  private static String budget(DiskBudget budget) {
    return budget.bytes() > 0 ? megabytes(budget.bytes())
        : String.format(Locale.ROOT, "%.0f%%", budget.share() * 100);
  }
}
