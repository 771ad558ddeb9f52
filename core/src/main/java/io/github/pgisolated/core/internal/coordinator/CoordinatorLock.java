package io.github.pgisolated.core.internal.coordinator;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;

/**
 * Proof that this JVM won the election for a {@link CoordinatorDirectory}: an exclusive lock on
 * its {@code lock} file, held until {@link #close()} or until the JVM dies (the operating system
 * releases it then, so a crashed coordinator never blocks the next election).
 *
 * <p>Obtained only from {@link Election#tryBecomeCoordinator}. Close it after the {@link
 * LeaseSocketServer} that uses it: the server deletes its socket file on close, which is safe only
 * while the lock is held. Closing is idempotent and thread-safe.
 *
 * <p><b>A removed lock file.</b> A lock is held on an inode, not on a path: when a temporary-file
 * cleaner removes the directory, this JVM still holds its lock, on a file nobody can open any
 * more, and the next JVM to come would create the directory again and win a lock of its own: two
 * coordinators. {@link #isIntact()} tells (the path's file key against the locked file's), and
 * {@link #renew()} takes the lock again on a new file at the path, or finds that another JVM was
 * quicker ({@link #isHeld()} is false from then on).
 */
public final class CoordinatorLock implements AutoCloseable {

  private final CoordinatorDirectory directory;
  private final Set<Path> heldInThisJvm;
  private final Path key;
  private FileChannel channel;
  private volatile FileLock fileLock;
  /** The locked file's identity (inode and device on Unix); null where the platform has none. */
  private Object fileKey;
  private volatile boolean released;
  /** Another JVM won the lock file that replaced ours: this lock guards nothing any more. */
  private volatile boolean lost;

  CoordinatorLock(CoordinatorDirectory directory, FileChannel channel, FileLock fileLock,
      Set<Path> heldInThisJvm, Path key) {
    this.directory = directory;
    this.channel = channel;
    this.fileLock = fileLock;
    this.heldInThisJvm = heldInThisJvm;
    this.key = key;
    this.fileKey = fileKeyOf(key);
  }

  public CoordinatorDirectory directory() {
    return directory;
  }

  /** Whether the lock is still held (not closed, its channel open, not lost to a renewal). */
  public boolean isHeld() {
    return !released && !lost && fileLock.isValid();
  }

  /** Whether the lock file at the path is still the file this lock holds. Two stat calls. */
  public synchronized boolean isIntact() {
    if (!isHeld()) {
      return false;
    }
    Object onDisk = fileKeyOf(key);
    return fileKey == null ? Files.exists(key) : fileKey.equals(onDisk);
  }

  /**
   * After the lock file was removed: creates the directory again and tries, once, to lock a new
   * lock file at the path. True when this JVM holds it (the old, unreachable file is let go);
   * false when another JVM does, and then this lock is {@linkplain #isHeld() held} no more.
   *
   * @throws CoordinatorUnavailableException if the directory or the file cannot be created
   */
  public synchronized boolean renew() {
    if (!isHeld()) {
      return false;
    }
    FileChannel fresh = null;
    try {
      directory.recreate();
      fresh = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock freshLock = Election.tryLock(fresh);
      if (freshLock == null) {
        fresh.close();
        lost = true;
        return false;
      }
      // A different inode: closing the old channel releases only the old file's lock.
      FileChannel old = channel;
      channel = fresh;
      fileLock = freshLock;
      fileKey = fileKeyOf(key);
      closeQuietly(old);
      Files.writeString(directory.coordinatorFile(), ProcessHandle.current().pid() + "\n");
      return true;
    } catch (IOException | RuntimeException e) {
      if (fresh != null && fresh != channel) {
        closeQuietly(fresh);
      }
      throw new CoordinatorUnavailableException("Could not take the coordinator lock again on " + key + ": " + e
          + ". Check that " + directory + " can be created and written by this user.", e);
    }
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
      // Still ours to delete: nobody else can have become coordinator yet, unless the lock was
      // lost to a renewal (the file is then the new coordinator's).
      if (!lost) {
        Files.deleteIfExists(directory.coordinatorFile());
      }
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

  /** A file's identity (device and inode on Unix), without following links; null if it is gone. */
  static Object fileKeyOf(Path file) {
    try {
      return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    } catch (IOException e) {
      return null;
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // Nothing left to release.
    }
  }

  @Override
  public String toString() {
    return "coordinator lock on " + directory.lockFile() + (isHeld() ? "" : " (released)");
  }
}
