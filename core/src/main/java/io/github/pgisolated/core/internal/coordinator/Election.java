package io.github.pgisolated.core.internal.coordinator;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Elects the coordinator of a {@link CoordinatorDirectory}: the JVM that holds an exclusive
 * {@link FileChannel#tryLock() file lock} on its {@code lock} file. Never waits: a loser connects
 * to the winner's socket instead (and retries the election if that fails, see {@code
 * docs/protocol.md}).
 *
 * <p><b>Two levels.</b> A file lock is held on behalf of the whole JVM, and on Linux it is a POSIX
 * record lock, which the kernel drops when <em>any</em> descriptor of the file in the process is
 * closed. So a second attempt in the same JVM must not even open the file: a JVM-wide set of held
 * lock paths is consulted first, and an attempt that finds its path there loses at once. {@code
 * OverlappingFileLockException} therefore cannot normally happen; if it does, it is a lost
 * election too.
 *
 * <p><b>Stale files.</b> The lock dies with its holder, so a crashed coordinator leaves nothing
 * that blocks the next election. The winner deletes a leftover {@code socket} file (safe: no
 * other JVM can be coordinator while it holds the lock) and writes its pid to {@code
 * coordinator}. The {@code lock} file itself is never deleted: a JVM that has it open would then
 * lock a different inode than the next one to create it, and two coordinators would exist.
 *
 * <p>Thread-safe.
 */
public final class Election {

  private static final Set<Path> HELD_IN_THIS_JVM = ConcurrentHashMap.newKeySet();

  private Election() {}

  /** The outcome of one attempt. */
  public sealed interface Result permits Won, Lost {}

  /**
   * This JVM is the coordinator until it closes {@code lock}.
   *
   * @param createdLockFile the lock file did not exist before this election: a first run, or a
   *     directory removed under a coordinator that may still be running (see {@link
   *     CoordinatorLock#renew()})
   */
  public record Won(CoordinatorLock lock, boolean createdLockFile) implements Result {}

  /**
   * Another JVM (or another attempt in this one) is the coordinator.
   *
   * @param coordinatorPid what the {@code coordinator} file says, for messages; may be stale
   */
  public record Lost(OptionalLong coordinatorPid) implements Result {}

  /**
   * Tries once, without waiting.
   *
   * @throws CoordinatorUnavailableException if the lock file cannot be opened or the stale socket
   *     cannot be removed
   */
  public static Result tryBecomeCoordinator(CoordinatorDirectory directory) {
    Path key = directory.lockFile().toAbsolutePath().normalize();
    if (!HELD_IN_THIS_JVM.add(key)) {
      return lost(directory);
    }
    FileChannel channel = null;
    try {
      boolean existed = Files.exists(key);
      channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock fileLock = tryLock(channel);
      if (fileLock == null) {
        channel.close();
        HELD_IN_THIS_JVM.remove(key);
        return lost(directory);
      }
      CoordinatorLock lock = new CoordinatorLock(directory, channel, fileLock, HELD_IN_THIS_JVM,
          key);
      try {
        Files.deleteIfExists(directory.socketFile());
        Files.writeString(directory.coordinatorFile(), ProcessHandle.current().pid() + "\n");
      } catch (IOException | RuntimeException e) {
        lock.close();
        throw new CoordinatorUnavailableException("Won the coordinator election in " + directory
            + " but could not clean up for the socket: " + e + ". Remove " + directory
            + " if nothing uses it.", e);
      }
      return new Won(lock, !existed);
    } catch (IOException e) {
      closeQuietly(channel);
      HELD_IN_THIS_JVM.remove(key);
      throw new CoordinatorUnavailableException("Could not open the coordinator election lock "
          + key + ": " + e + ". Check that " + directory + " is writable by this user.", e);
    }
  }

  /** The lock, or null when another process (or, by accident, this one) holds it. */
  static FileLock tryLock(FileChannel channel) throws IOException {
    try {
      return channel.tryLock();
    } catch (OverlappingFileLockException e) {
      return null;
    }
  }

  private static Lost lost(CoordinatorDirectory directory) {
    try {
      return new Lost(OptionalLong.of(
          Long.parseLong(Files.readString(directory.coordinatorFile()).trim())));
    } catch (IOException | NumberFormatException e) {
      // Not written yet, or being rewritten: it is only for messages.
      return new Lost(OptionalLong.empty());
    }
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
