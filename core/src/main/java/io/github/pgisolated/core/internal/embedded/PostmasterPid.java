package io.github.pgisolated.core.internal.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The contents of a data directory's {@code postmaster.pid}: the lock file PostgreSQL writes at
 * start and removes at a clean stop. Its lines are the pid, the data directory, the start time,
 * the port, the socket directory, the listen address, the shared memory key and (since 10) the
 * status ({@code starting}, {@code ready}, {@code stopping}).
 *
 * <p>A file left by a crash names a pid that is dead, or alive but reused by another program;
 * {@link #isLivePostgres()} tells these apart from a running server so that the launcher removes
 * stale files instead of failing the way PostgreSQL does when the pid belongs to another user.
 *
 * @param pid the postmaster's pid
 * @param dataDirectory the data directory as written by the postmaster
 * @param startEpochSecond when the postmaster started (seconds since the epoch), or -1
 * @param port the TCP port, or -1 if not written yet
 * @param status the status line, or empty if not written yet
 */
public record PostmasterPid(long pid, String dataDirectory, long startEpochSecond, int port,
    String status) {

  /** How far the recorded start time may be from the process's own before we call it reused. */
  private static final long START_TOLERANCE_SECONDS = 30;

  /** The parsed file, or empty if there is none (or it is being written and not parseable). */
  public static Optional<PostmasterPid> read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new EmbeddedPostgresException("Cannot read " + file + ": " + e, e);
    }
    if (lines.isEmpty()) {
      return Optional.empty();
    }
    try {
      long pid = Long.parseLong(lines.get(0).trim());
      String data = lines.size() > 1 ? lines.get(1).trim() : "";
      long start = lines.size() > 2 && !lines.get(2).isBlank()
          ? Long.parseLong(lines.get(2).trim()) : -1;
      int port = lines.size() > 3 && !lines.get(3).isBlank()
          ? Integer.parseInt(lines.get(3).trim()) : -1;
      String status = lines.size() > 7 ? lines.get(7).trim() : "";
      return Optional.of(new PostmasterPid(Math.abs(pid), data, start, port, status));
    } catch (NumberFormatException e) {
      // A torn or foreign file: treated like a stale one.
      return Optional.of(new PostmasterPid(-1, "", -1, -1, ""));
    }
  }

  /** Whether the pid is alive and looks like a PostgreSQL server (not this JVM, not reused). */
  public boolean isLivePostgres() {
    if (pid <= 0 || pid == ProcessHandle.current().pid()) {
      return false;
    }
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    if (process.isEmpty() || !process.get().isAlive() || isZombie(pid)) {
      return false;
    }
    ProcessHandle.Info info = process.get().info();
    if (startEpochSecond > 0 && info.startInstant().isPresent() && Math.abs(
        info.startInstant().get().getEpochSecond() - startEpochSecond) > START_TOLERANCE_SECONDS) {
      return false; // The pid was reused by a process started at another time.
    }
    Optional<String> command = info.command();
    // Unknown command (another user's process on some systems): assume it may be PostgreSQL and
    // let the login decide.
    return command.map(c -> Path.of(c).getFileName().toString().startsWith("postgres"))
        .orElse(true);
  }

  /**
   * Whether the file was written for {@code data}; a {@code postmaster.pid} copied along with a
   * data directory names the original one.
   */
  public boolean isFor(Path data) {
    try {
      return dataDirectory.isEmpty() || Path.of(dataDirectory).normalize().equals(data);
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Whether the pid is alive at all. */
  public boolean isAlive() {
    return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
        && !isZombie(pid);
  }

  /**
   * A zombie has exited but is not reaped yet (in a container whose pid 1 does not reap orphans it
   * never is); {@link ProcessHandle#isAlive()} still reports it.
   */
  static boolean isZombie(long pid) {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    try {
      String text = Files.readString(stat);
      int close = text.lastIndexOf(')');
      return close > 0 && close + 2 < text.length() && text.charAt(close + 2) == 'Z';
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  public boolean isReady() {
    return "ready".equals(status);
  }

  public boolean isStopping() {
    return "stopping".equals(status);
  }
}
