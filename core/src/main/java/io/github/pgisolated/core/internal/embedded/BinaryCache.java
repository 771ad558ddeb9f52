package io.github.pgisolated.core.internal.embedded;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tukaani.xz.XZInputStream;

/**
 * Extracts the binaries of one version once per machine and user, into {@code
 * <base>/binaries/<version>-<os>-<arch>/}.
 *
 * <p>Protocol, safe with any number of JVMs and threads starting at once:
 *
 * <ol>
 *   <li>If {@code <dir>/.complete} exists, use the directory: no lock, no I/O beyond that check.
 *   <li>Else take {@code <dir>.lock} ({@link InterProcessLock}: thread lock, then file lock) and
 *       check again: another JVM may have finished while we waited.
 *   <li>Remove leftovers of crashed extractions ({@code <dir>.tmp-*}, or {@code <dir>} without
 *       its marker), extract into a fresh {@code <dir>.tmp-<random>} sibling, write the marker
 *       inside it, and rename it to {@code <dir>} atomically. The rename is the commit: {@code
 *       <dir>} never exists half-written.
 * </ol>
 */
public final class BinaryCache {

  /** The completion marker inside an extracted directory. */
  public static final String COMPLETE_MARKER = ".complete";

  private static final Logger LOG = LoggerFactory.getLogger(BinaryCache.class);
  private static final Duration LOCK_TIMEOUT = Duration.ofMinutes(10);

  /** Opens the archive to extract; called only when an extraction is needed. */
  @FunctionalInterface
  public interface ArchiveSource {
    InputStream open() throws IOException;
  }

  /**
   * Extracted binaries.
   *
   * @param home the directory holding {@code bin/}, {@code lib/} and {@code share/}
   * @param version the full version, e.g. {@code 18.6.0}
   * @param extractedMillis how long this call spent extracting, 0 if it found them ready
   */
  public record Installation(Path home, String version, long extractedMillis) {
    public Path bin(String program) {
      return home.resolve("bin").resolve(program);
    }
  }

  private BinaryCache() {}

  /** The binaries of {@code version}, extracting them from {@code source} if needed. */
  public static Installation install(Path baseDirectory, Platform platform, String version,
      ArchiveSource source) {
    Path binaries = baseDirectory.resolve("binaries");
    Path home = binaries.resolve(platform.installationName(version));
    if (Files.exists(home.resolve(COMPLETE_MARKER))) {
      return new Installation(home, version, 0);
    }
    try {
      Locations.createDirectories(binaries);
    } catch (IOException e) {
      throw new EmbeddedPostgresException("Cannot create " + binaries + ": " + e + ". Fix: set "
          + "pgisolated.embedded.directory to a writable directory.", e);
    }
    Path lockFile = binaries.resolve(home.getFileName() + ".lock");
    try (InterProcessLock lock = InterProcessLock.acquire(lockFile, LOCK_TIMEOUT,
        "the PostgreSQL " + version + " binaries")) {
      lock.throwIfNotHeld();
      if (Files.exists(home.resolve(COMPLETE_MARKER))) {
        return new Installation(home, version, 0);
      }
      long started = System.nanoTime();
      removeLeftovers(binaries, home);
      Path temp = binaries.resolve(home.getFileName() + ".tmp-" + UUID.randomUUID());
      try (InputStream archive = new XZInputStream(new BufferedInputStream(source.open(),
          1 << 16))) {
        int entries = TarExtractor.extract(archive, temp);
        Locations.setDirectoryMode(temp);
        Files.createFile(temp.resolve(COMPLETE_MARKER));
        Files.move(temp, home, StandardCopyOption.ATOMIC_MOVE);
        long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        LOG.info("Extracted PostgreSQL {} binaries ({} entries) to {} in {} ms", version,
            entries, home, millis);
        return new Installation(home, version, Math.max(millis, 1));
      } catch (IOException e) {
        deleteRecursively(temp);
        throw new EmbeddedPostgresException("Could not extract the PostgreSQL " + version
            + " binaries to " + home + ": " + e.getMessage() + ". Fix: check free space and "
            + "permissions there, or set pgisolated.embedded.directory elsewhere.", e);
      }
    }
  }

  private static void removeLeftovers(Path binaries, Path home) {
    String tempPrefix = home.getFileName() + ".tmp-";
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(binaries)) {
      for (Path entry : entries) {
        if (entry.getFileName().toString().startsWith(tempPrefix)) {
          deleteRecursively(entry);
        }
      }
    } catch (IOException e) {
      LOG.debug("Could not list {} for leftovers", binaries, e);
    }
    if (Files.exists(home, LinkOption.NOFOLLOW_LINKS)) {
      deleteRecursively(home);
    }
  }

  /** Deletes a tree without following symbolic links; best effort. */
  public static void deleteRecursively(Path root) {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
            throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
          Files.deleteIfExists(dir);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      LOG.warn("Could not delete {}: {}", root, e.toString());
    }
  }
}
