package io.github.pgisolated.core.internal.embedded;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An exclusive lock on a lock file, held by one thread of one JVM at a time.
 *
 * <p>Two levels, always taken in this order and released in reverse: a {@link ReentrantLock} per
 * lock file inside the JVM (a {@link FileLock} is held on behalf of the whole JVM, and a second
 * attempt from the same JVM throws {@code OverlappingFileLockException} instead of waiting), then
 * the {@code FileChannel} lock across JVMs. The operating system releases the file lock when the
 * JVM dies, so a crashed holder never leaves the lock taken. The lock file itself is never
 * deleted (deleting it would let two JVMs lock two different inodes).
 *
 * <pre>{@code
 * try (InterProcessLock lock = InterProcessLock.acquire(file, timeout, "the cluster")) {
 *   lock.throwIfNotHeld();
 *   ...
 * }
 * }</pre>
 */
public final class InterProcessLock implements AutoCloseable {

  private static final ConcurrentMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private final ReentrantLock threadLock;
  private final FileChannel channel;
  private final FileLock fileLock;

  private InterProcessLock(ReentrantLock threadLock, FileChannel channel, FileLock fileLock) {
    this.threadLock = threadLock;
    this.channel = channel;
    this.fileLock = fileLock;
  }

  /**
   * Waits up to {@code timeout} for the lock on {@code lockFile} (created if missing).
   *
   * @param what what the lock protects, for the timeout message
   */
  public static InterProcessLock acquire(Path lockFile, Duration timeout, String what) {
    Path key = lockFile.toAbsolutePath().normalize();
    long deadline = System.nanoTime() + timeout.toNanos();
    ReentrantLock threadLock = IN_PROCESS.computeIfAbsent(key, k -> new ReentrantLock());
    try {
      if (!threadLock.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        throw timedOut(key, timeout, what, "another thread of this JVM");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EmbeddedPostgresException("Interrupted while waiting for the lock on " + what
          + " (" + key + ")", e);
    }
    FileChannel channel = null;
    try {
      channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      while (true) {
        FileLock fileLock = channel.tryLock();
        if (fileLock != null) {
          return new InterProcessLock(threadLock, channel, fileLock);
        }
        if (System.nanoTime() - deadline > 0) {
          throw timedOut(key, timeout, what, "another process");
        }
        TimeUnit.NANOSECONDS.sleep(POLL_NANOS);
      }
    } catch (IOException e) {
      closeQuietly(channel);
      threadLock.unlock();
      throw new EmbeddedPostgresException("Could not lock " + key + " (guarding " + what + "): "
          + e.getMessage() + ". Check that the directory is writable by this user, or point "
          + "pgisolated.embedded.directory / .data-directory elsewhere.", e);
    } catch (InterruptedException e) {
      closeQuietly(channel);
      threadLock.unlock();
      Thread.currentThread().interrupt();
      throw new EmbeddedPostgresException("Interrupted while waiting for the lock on " + what
          + " (" + key + ")", e);
    } catch (RuntimeException e) {
      closeQuietly(channel);
      threadLock.unlock();
      throw e;
    }
  }

  /** Asserts that the calling thread holds this lock (for methods that require it). */
  public void throwIfNotHeld() {
    if (!threadLock.isHeldByCurrentThread() || !fileLock.isValid()) {
      throw new IllegalStateException("lock not held by this thread");
    }
  }

  @Override
  public void close() {
    try {
      fileLock.release();
    } catch (IOException e) {
      // Closing the channel below releases it too.
    } finally {
      closeQuietly(channel);
      threadLock.unlock();
    }
  }

  private static EmbeddedPostgresException timedOut(Path key, Duration timeout, String what,
      String holder) {
    return new EmbeddedPostgresException("Timed out after " + timeout.toMillis() + " ms waiting "
        + "for the lock on " + what + " (" + key + "), held by " + holder + ". Another build may "
        + "be extracting binaries or starting the server; if none is running, raise "
        + "pgisolated.embedded.start-timeout.");
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // Nothing left to release.
      }
    }
  }
}
