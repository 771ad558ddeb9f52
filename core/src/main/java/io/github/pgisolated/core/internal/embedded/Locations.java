package io.github.pgisolated.core.internal.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * Where binaries and clusters live by default.
 *
 * <p>The base directory holds {@code binaries/<version>-<os>-<arch>/}, {@code downloads/} and, when
 * the data directory is not on {@code /dev/shm}, {@code clusters/<major>/data}. It is a per-user
 * cache: {@code $XDG_CACHE_HOME/pgisolated} or {@code ~/.cache/pgisolated} on Linux, {@code
 * ~/Library/Caches/pgisolated} on macOS. As root it is {@code /var/tmp/pgisolated} instead, because
 * the account PostgreSQL then runs as must reach the binaries and {@code /root} is mode 0700.
 *
 * <p>The "auto" data directory is {@code /dev/shm/pgisolated-<user>/<major>/data} on Linux when
 * {@code /dev/shm} is a writable directory with at least 1 GiB free (a clone on tmpfs is several
 * times faster than on disk; Docker's default 64 MiB {@code /dev/shm} is too small and is not
 * used), else {@code <base>/clusters/<major>/data}. Paths are stable so that a later run finds the
 * initialised cluster and its templates. tmpfs does not survive a reboot (and systemd-logind's
 * {@code RemoveIPC} may clear a desktop user's files there at logout): the next run then simply
 * initialises a new cluster.
 *
 * <p>Directories the launcher creates are mode 0755 when root (the PostgreSQL account must
 * traverse them) and 0700 otherwise. A default directory that already exists must belong to this
 * user: {@code /var/tmp} and {@code /dev/shm} are shared, and a directory planted there by someone
 * else is never used.
 */
public final class Locations {

  static final long MIN_SHM_BYTES = 1L << 30;
  static final Path SHM = Path.of("/dev/shm");

  private Locations() {}

  /** The base directory: the configured one, or the default for this user and platform. */
  public static Path baseDirectory(EmbeddedSettings settings, Platform platform) {
    if (settings.baseDirectory() != null) {
      return settings.baseDirectory();
    }
    return defaultBaseDirectory(CurrentUser.isRoot(), platform, System.getenv(),
        System.getProperty("user.home"));
  }

  static Path defaultBaseDirectory(boolean root, Platform platform, Map<String, String> env,
      String home) {
    if (root) {
      return Path.of("/var/tmp/pgisolated");
    }
    if (platform.isMac()) {
      return Path.of(home, "Library", "Caches", "pgisolated");
    }
    String xdg = env.get("XDG_CACHE_HOME");
    if (xdg != null && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg, "pgisolated");
    }
    return Path.of(home, ".cache", "pgisolated");
  }

  /** The data directory: the configured one, or the "auto" one for the settings' major. */
  public static Path dataDirectory(EmbeddedSettings settings, Platform platform, Path base) {
    if (settings.dataDirectory() != null) {
      return settings.dataDirectory();
    }
    Path shm = SHM.resolve("pgisolated-" + CurrentUser.name());
    boolean useShm = platform.isLinux() && shmIsUsable(SHM) && ownedByUsOrAbsent(shm);
    return defaultDataDirectory(useShm, shm, base, settings.majorVersion());
  }

  static Path defaultDataDirectory(boolean useShm, Path shmRoot, Path base, int major) {
    Path root = useShm ? shmRoot : base.resolve("clusters");
    return root.resolve(Integer.toString(major)).resolve("data");
  }

  /** A writable directory with at least {@link #MIN_SHM_BYTES} usable. */
  static boolean shmIsUsable(Path shm) {
    try {
      boolean directory = Files.isDirectory(shm);
      return shmIsUsable(directory, directory && Files.isWritable(shm),
          directory ? Files.getFileStore(shm).getUsableSpace() : 0);
    } catch (IOException | SecurityException e) {
      return false;
    }
  }

  static boolean shmIsUsable(boolean directory, boolean writable, long usableBytes) {
    return directory && writable && usableBytes >= MIN_SHM_BYTES;
  }

  private static boolean ownedByUsOrAbsent(Path directory) {
    try {
      return !Files.exists(directory, LinkOption.NOFOLLOW_LINKS) || isOwnedByUs(directory);
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean isOwnedByUs(Path path) throws IOException {
    if (Files.isSymbolicLink(path) || !Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    Object owner = Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    return owner instanceof Integer uid && uid == CurrentUser.uid();
  }

  /**
   * Creates {@code directory} and missing parents with the launcher's mode (0755 as root, else
   * 0700), leaving existing ones alone.
   */
  public static void createDirectories(Path directory) throws IOException {
    if (Files.isDirectory(directory)) {
      return;
    }
    Path parent = directory.getParent();
    if (parent != null) {
      createDirectories(parent);
    }
    try {
      Files.createDirectory(directory);
    } catch (java.nio.file.FileAlreadyExistsException e) {
      if (Files.isDirectory(directory)) {
        return; // Another JVM was faster.
      }
      throw e;
    }
    setDirectoryMode(directory);
  }

  /** 0755 as root (the PostgreSQL account must traverse it), else 0700. */
  public static void setDirectoryMode(Path directory) throws IOException {
    try {
      Files.setPosixFilePermissions(directory,
          PosixFilePermissions.fromString(CurrentUser.isRoot() ? "rwxr-xr-x" : "rwx------"));
    } catch (UnsupportedOperationException e) {
      // Not POSIX: keep the default.
    }
  }

  /**
   * Throws when a default directory in a shared place ({@code /var/tmp}, {@code /dev/shm}) exists
   * but belongs to someone else.
   */
  public static void throwIfNotOurs(Path directory, String what) throws IOException {
    if (Files.exists(directory, LinkOption.NOFOLLOW_LINKS) && !isOwnedByUs(directory)) {
      throw new EmbeddedPostgresException("The " + what + " " + directory + " exists but is not "
          + "a directory owned by this user (uid " + CurrentUser.uid() + "), so pgisolated will "
          + "not use it. Fix: remove it, or set pgisolated.embedded.directory to a directory of "
          + "your own.");
    }
  }
}
