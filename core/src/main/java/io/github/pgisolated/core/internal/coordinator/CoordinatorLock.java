package io.github.pgisolated.core.internal.coordinator;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Proof that this JVM won the election for a {@link CoordinatorDirectory}: an exclusive lock on
 * its {@code lock} file, held until {@link #close()} or until the JVM dies (the operating system
 * releases it then, so a crashed coordinator never blocks the next election).
 *
 * <p>Obtained only from {@link Election#tryBecomeCoordinator}. Close it after the {@link
 * LeaseSocketServer} that uses it: the server deletes its socket file on close, which is safe only
 * while the lock is held. Closing is idempotent and thread-safe.
 */
public final class CoordinatorLock implements AutoCloseable {

  private final CoordinatorDirectory directory;
  private final FileChannel channel;
  private final FileLock fileLock;
  private final Set<Path> heldInThisJvm;
  private final Path key;
  private volatile boolean released;

  CoordinatorLock(CoordinatorDirectory directory, FileChannel channel, FileLock fileLock,
      Set<Path> heldInThisJvm, Path key) {
    this.directory = directory;
    this.channel = channel;
    this.fileLock = fileLock;
    this.heldInThisJvm = heldInThisJvm;
    this.key = key;
  }

  public CoordinatorDirectory directory() {
    return directory;
  }

  /** Whether the lock is still held (not closed, and its channel still open). */
  public boolean isHeld() {
    return !released && fileLock.isValid();
  }

  /** For methods that may only run while this JVM is the coordinator. */
  public void throwIfNotHeld() {
    if (!isHeld()) {
      throw new IllegalStateException("the coordinator lock on " + directory.lockFile()
          + " is not held");
    }
  }

  /** Releases the lock; the next election can be won by any JVM. The lock file stays. */
  @Override
  public synchronized void close() {
    if (released) {
      return;
    }
    released = true;
    try {
      // Still ours to delete: nobody else can have become coordinator yet.
      Files.deleteIfExists(directory.coordinatorFile());
    } catch (IOException e) {
      // Diagnostics only.
    }
    try {
      fileLock.release();
    } catch (IOException e) {
      // Closing the channel below releases it too.
    } finally {
      try {
        channel.close();
      } catch (IOException e) {
        // Nothing left to release.
      }
      heldInThisJvm.remove(key);
    }
  }

  @Override
  public String toString() {
    return "coordinator lock on " + directory.lockFile() + (isHeld() ? "" : " (released)");
  }
}
