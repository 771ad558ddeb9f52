package io.github.pgisolated.core.internal.coordinator;

import io.github.pgisolated.core.InvalidConfigurationException;
import io.github.pgisolated.core.internal.embedded.CurrentUser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;

/**
 * Where the JVMs of one OS user that share one PostgreSQL target meet: {@code
 * <base>/<first 12 hex of sha256(target identity)>/}, holding the election {@code lock}, the
 * coordinator's {@code socket} and a {@code coordinator} file with its pid (for diagnostics).
 *
 * <p><b>Why the checks.</b> Whoever can write the directory can replace the socket and hand this
 * build databases of their choosing, or read its lease requests. So the base and the directory
 * are created 0700, and an existing one that another user owns, or that group or others can write,
 * is refused with a message naming the path and the fix ({@value #CONFIG_KEY}). The default base
 * lives in the shared temporary directory, where anyone could have created it first. A symbolic
 * link is followed only if this user owns the link as well as its target.
 *
 * <p><b>Why short.</b> A Unix domain socket path is at most {@value #MAX_SOCKET_PATH_BYTES}
 * bytes on Linux (103 on macOS); a longer one is refused here, with the fix, instead of failing
 * at bind.
 *
 * <p>Immutable; creating one is idempotent and safe for concurrent JVMs.
 */
public final class CoordinatorDirectory {

  /** The configuration key that overrides {@link #defaultBase()}. */
  public static final String CONFIG_KEY = "pgisolated.coordinator.directory";
  static final int MAX_SOCKET_PATH_BYTES = 107;
  private static final int MAX_SOCKET_PATH_BYTES_MAC = 103;
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rwx------");

  private final Path directory;
  private final String targetIdentity;

  private CoordinatorDirectory(Path directory, String targetIdentity) {
    this.directory = directory;
    this.targetIdentity = targetIdentity;
  }

  /** {@code ${java.io.tmpdir}/pgisolated-<user name>}, the user name made safe as a file name. */
  public static Path defaultBase() {
    return Path.of(System.getProperty("java.io.tmpdir"), "pgisolated-" + CurrentUser.name());
  }

  /**
   * The directory for one target, created (0700) with its base if missing and checked.
   *
   * @param targetIdentity what identifies the PostgreSQL target, e.g. {@code
   *     "embedded:/dev/shm/pgisolated-jo/16/data"} or {@code "external:db.ci:5432/postgres"}
   * @throws InvalidConfigurationException if a directory is unsafe, cannot be created, or the
   *     socket path would be too long
   */
  public static CoordinatorDirectory forTarget(Path base, String targetIdentity) {
    Path absoluteBase = base.toAbsolutePath().normalize();
    Path directory = absoluteBase.resolve(hashOf(targetIdentity));
    throwIfSocketPathTooLong(directory.resolve("socket"));
    createOwnerOnly(absoluteBase);
    throwIfUnsafe(absoluteBase);
    createOwnerOnly(directory);
    throwIfUnsafe(directory);
    return new CoordinatorDirectory(directory, targetIdentity);
  }

  public Path directory() {
    return directory;
  }

  /**
   * Creates the directory (and its base) again, 0700, if something removed it (a temporary-file
   * cleaner), and checks it as {@link #forTarget} does.
   *
   * @throws InvalidConfigurationException if it cannot be created or is unsafe
   */
  public void recreate() {
    createOwnerOnly(directory.getParent());
    throwIfUnsafe(directory.getParent());
    createOwnerOnly(directory);
    throwIfUnsafe(directory);
  }

  public Path lockFile() {
    return directory.resolve("lock");
  }

  public Path socketFile() {
    return directory.resolve("socket");
  }

  /** Holds the current coordinator's pid; for diagnostics only, never trusted. */
  public Path coordinatorFile() {
    return directory.resolve("coordinator");
  }

  public String targetIdentity() {
    return targetIdentity;
  }

  @Override
  public String toString() {
    return directory.toString();
  }

  static String hashOf(String targetIdentity) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(targetIdentity.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  private static void throwIfSocketPathTooLong(Path socket) {
    boolean mac = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("mac");
    int limit = mac ? MAX_SOCKET_PATH_BYTES_MAC : MAX_SOCKET_PATH_BYTES;
    int length = socket.toString().getBytes(StandardCharsets.UTF_8).length;
    if (length > limit) {
      throw new InvalidConfigurationException("The coordinator socket path " + socket + " is "
          + length + " bytes long; Unix domain socket paths are limited to " + limit + " bytes. "
          + "Set " + CONFIG_KEY + " to a shorter directory, e.g. /tmp/pgisolated-"
          + CurrentUser.name() + ".");
    }
  }

  private static void createOwnerOnly(Path directory) {
    if (Files.isDirectory(directory)) {
      return;
    }
    try {
      Files.createDirectories(directory.getParent());
      Files.createDirectory(directory);
      // Explicitly, as the umask may have taken bits away (never added any).
      Files.setPosixFilePermissions(directory, OWNER_ONLY);
    } catch (FileAlreadyExistsException e) {
      // Another JVM created it at the same moment; checked like any existing directory.
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system (Windows): nothing to set.
    } catch (IOException e) {
      throw new InvalidConfigurationException("Could not create the coordinator directory "
          + directory + ": " + e + ". Set " + CONFIG_KEY + " to a directory this user can "
          + "write.", e);
    }
  }

  /** Refuses a directory another user owns or may write, following only a link of ours. */
  private static void throwIfUnsafe(Path directory) {
    try {
      long self = CurrentUser.uid();
      int linkOwner =
          (Integer) Files.getAttribute(directory, "unix:uid", LinkOption.NOFOLLOW_LINKS);
      int owner = (Integer) Files.getAttribute(directory, "unix:uid");
      int mode = (Integer) Files.getAttribute(directory, "unix:mode");
      if (!Files.isDirectory(directory)) {
        throw new InvalidConfigurationException("The coordinator directory " + directory
            + " exists but is not a directory. Remove it, or set " + CONFIG_KEY
            + " to another directory.");
      }
      if (self >= 0 && (linkOwner != self || owner != self)) {
        throw new InvalidConfigurationException("The coordinator directory " + directory
            + " belongs to uid " + (linkOwner != self ? linkOwner : owner) + ", not to this user "
            + "(uid " + self + "): another user could take over the coordinator socket and hand "
            + "this build databases it does not own, so it is not used. If it is a leftover of "
            + "yours, remove it; otherwise set " + CONFIG_KEY + " to a directory only you can "
            + "write.");
      }
      if ((mode & 0022) != 0) {
        throw new InvalidConfigurationException(String.format("The coordinator directory %s has "
            + "mode %04o: group or others can write to it, so another user could replace the "
            + "coordinator socket; it is not used. Run chmod 700 %s, or set %s to a directory "
            + "only you can write.", directory, mode & 07777, directory, CONFIG_KEY));
      }
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      // No "unix" attribute view (Windows): the file system's own ACLs apply.
    } catch (IOException e) {
      throw new InvalidConfigurationException("Could not check the coordinator directory "
          + directory + ": " + e + ". Set " + CONFIG_KEY + " to a directory this user owns.", e);
    }
  }
}
