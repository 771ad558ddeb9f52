package io.github.pgisolated.core.internal.embedded;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs initdb once per data directory, and recovers from an initdb that never finished.
 *
 * <p>The cluster accepts only password (SCRAM) logins over TCP: {@code initdb -A scram-sha-256
 * -U postgres --pwfile}, with a random password kept in {@code <control>/password} (0600, owned by
 * the JVM's user, outside the data directory). The {@code initialized} marker is written only
 * after initdb succeeded. A data directory without it was left by a crash during initdb; it is
 * wiped and initialised again, but only if it is ours: our control directory already holds the
 * password written before initdb ran. A non-empty data directory without that is someone else's
 * and is never touched.
 *
 * <p>All methods require the cluster lock ({@link ClusterLayout#lockFile()}).
 */
public final class ClusterInitializer {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterInitializer.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private ClusterInitializer() {}

  /** Whether initdb has completed for this layout. */
  public static boolean isInitialized(ClusterLayout layout) {
    return Files.exists(layout.initializedMarker()) && Files.exists(layout.passwordFile())
        && Files.exists(layout.versionFile());
  }

  /** The stored superuser password, or null if there is none. */
  public static String readPassword(ClusterLayout layout) {
    try {
      return Files.readString(layout.passwordFile()).strip();
    } catch (java.nio.file.NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new EmbeddedPostgresException("Cannot read the password file "
          + layout.passwordFile() + ": " + e + ". It must be readable by this user.", e);
    }
  }

  /**
   * Initialises the cluster unless it already is; returns the milliseconds spent in initdb (0
   * when nothing was done).
   */
  public static long ensureInitialized(ClusterLayout layout, BinaryCache.Installation binaries,
      RunAsAccount account, Duration timeout, InterProcessLock clusterLock) {
    clusterLock.throwIfNotHeld();
    if (isInitialized(layout)) {
      return 0;
    }
    Path data = layout.dataDirectory();
    try {
      throwIfForeign(layout);
      if (Files.exists(data, LinkOption.NOFOLLOW_LINKS)) {
        LOG.warn("Data directory {} was left half-initialised (no {} marker); wiping it and "
            + "running initdb again", data, layout.initializedMarker().getFileName());
        BinaryCache.deleteRecursively(data);
      }
      Files.deleteIfExists(layout.initializedMarker());
      Files.createDirectory(data);
      Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
      account.takeOwnership(data);
      String password = newPassword();
      writePrivately(layout.passwordFile(), password);
      account.throwIfCannotUse(binaries.bin("initdb"), data);
      long started = System.nanoTime();
      runInitdb(layout, binaries, account, password, timeout);
      long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
      Files.writeString(layout.initializedMarker(), "initdb of PostgreSQL "
          + binaries.version() + " completed at " + Instant.now() + "\n");
      return Math.max(millis, 1);
    } catch (IOException e) {
      throw new EmbeddedPostgresException("Could not prepare the data directory " + data + ": "
          + e + ". Fix: check permissions, or set pgisolated.embedded.data-directory elsewhere.",
          e);
    }
  }

  private static void runInitdb(ClusterLayout layout, BinaryCache.Installation binaries,
      RunAsAccount account, String password, Duration timeout) throws IOException {
    // initdb runs as the PostgreSQL account, which cannot read our 0600 password file: give it
    // its own copy for the duration of initdb.
    Path pwfile = layout.controlDirectory().resolve("initdb-password");
    writePrivately(pwfile, password);
    account.takeOwnership(pwfile);
    try {
      List<String> initdb = new ArrayList<>(List.of(
          binaries.bin("initdb").toString(),
          "-D", layout.dataDirectory().toString(),
          "-A", "scram-sha-256",
          "-U", "postgres",
          "--pwfile=" + pwfile,
          "-E", "UTF8",
          "--locale=C",
          "--no-sync",
          "--no-instructions"));
      if (majorOf(binaries.version()) >= 16) {
        // Every connection pays the client side of PBKDF2: 4096 rounds by default, a noticeable
        // share of a test's connect time. The iterations only slow down guessing the password
        // from a stolen verifier; ours is 192 random bits on a loopback-only test server, so one
        // round loses nothing. (initdb -c exists since 16; it also lands in postgresql.conf.)
        initdb.addAll(List.of("-c", "scram_iterations=1"));
      }
      Commands.Result result = Commands.run(account.command(initdb), timeout);
      if (!result.succeeded()) {
        throw new EmbeddedPostgresException("initdb failed (exit " + result.exitCode() + ") for "
            + layout.dataDirectory() + " running as " + account.description() + ":\n"
            + result.output() + "\nThe next start wipes the directory and retries. If it keeps "
            + "failing, set pgisolated.embedded.data-directory to another path, or use "
            + "pgisolated.postgres=external.");
      }
    } finally {
      Files.deleteIfExists(pwfile);
    }
  }

  /** Refuses to wipe a non-empty data directory that pgisolated did not create. */
  private static void throwIfForeign(ClusterLayout layout) throws IOException {
    Path data = layout.dataDirectory();
    if (!Files.exists(data, LinkOption.NOFOLLOW_LINKS) || isEmptyDirectory(data)) {
      return;
    }
    boolean ours = Files.isDirectory(data, LinkOption.NOFOLLOW_LINKS)
        && (Files.exists(layout.passwordFile()) || Files.exists(layout.initializedMarker()));
    if (!ours) {
      throw new EmbeddedPostgresException("The data directory " + data + " is not empty and was "
          + "not created by pgisolated (no " + layout.passwordFile() + "), so pgisolated will "
          + "not touch it. Fix: set pgisolated.embedded.data-directory to an empty or missing "
          + "directory, or remove this one if you no longer need it.");
    }
  }

  private static boolean isEmptyDirectory(Path directory) throws IOException {
    if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
      return !entries.iterator().hasNext();
    }
  }

  /** Writes {@code text} to a new 0600 file and moves it over {@code target} atomically. */
  static void writePrivately(Path target, String text) throws IOException {
    Path temp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      Files.writeString(temp, text + "\n");
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private static int majorOf(String version) {
    try {
      return Integer.parseInt(version.split("\\.")[0]);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String newPassword() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
