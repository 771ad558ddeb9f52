package io.github.pgisolated.cli.internal;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/** Starting the commands wrap and wrap-each run, and reading their exit codes as pgmanager does. */
final class ChildProcesses {
  /** The exit code when pgisolated itself fails (as env and docker use 125). */
  static final int OWN_FAILURE = 125;

  private ChildProcesses() {}

  /** Starts a command with inherited stdio and extra variables; fails with exit code 127 or 126 as shells do. */
  static Process start(List<String> command, Map<String, String> env) {
    ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
    builder.environment().putAll(env);
    try {
      return builder.start();
    } catch (IOException e) {
      String message = e.getMessage() == null ? "" : e.getMessage();
      boolean missing = message.contains("error=2,") || message.contains("No such file");
      throw new ChildFailedToStart(missing ? 127 : 126, "Could not run " + command.get(0) + ": "
          + (missing ? "no such command (is it on the PATH?)" : message));
    }
  }

  /**
   * The command's exit code; 1 when a signal ended it, as pgmanager returns. Java reports a death
   * by signal N as 128 + N, so a command that exits 129–192 by itself is read as signalled too.
   */
  static int exitCode(int javaExitValue) {
    return javaExitValue > 128 && javaExitValue <= 128 + 64 ? 1 : javaExitValue;
  }

  /** Sends a signal (INT or TERM) to a process, as {@code kill -s} does. */
  static void signal(Process process, String signal) {
    if (!process.isAlive()) {
      return;
    }
    try {
      new ProcessBuilder("kill", "-s", signal, Long.toString(process.pid())).inheritIO().start().waitFor();
    } catch (IOException e) {
      process.destroy();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroy();
    }
  }

  /** The command could not be started; {@link #exitCode} is what a shell would exit with. */
  static final class ChildFailedToStart extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    ChildFailedToStart(int exitCode, String message) {
      super(message);
      this.exitCode = exitCode;
    }

    int exitCode() {
      return exitCode;
    }
  }
}
