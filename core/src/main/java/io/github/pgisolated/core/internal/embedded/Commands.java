package io.github.pgisolated.core.internal.embedded;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs short external commands (initdb, pg_ctl, id, chown helpers) to completion and captures
 * their output.
 *
 * <p>Output goes to a temporary file, not a pipe: {@code pg_ctl start} leaves a postmaster behind,
 * and a pipe inherited by a long-lived grandchild would keep a reader waiting for an end of file
 * that never comes. Standard input is {@code /dev/null}. Variables starting with {@code PG} are
 * removed from the environment so that a user's {@code PGDATA} or {@code PGPORT} cannot redirect
 * the commands, and the locale is fixed to {@code C}.
 */
public final class Commands {

  /** The outcome of a finished command. */
  public record Result(List<String> command, int exitCode, String output) {
    public boolean succeeded() {
      return exitCode == 0;
    }
  }

  private Commands() {}

  /** Runs {@code command} in {@code /}, waiting up to {@code timeout}; kills it when late. */
  public static Result run(List<String> command, Duration timeout) {
    Path output = null;
    try {
      output = Files.createTempFile("pgisolated-cmd", ".out");
      ProcessBuilder builder = new ProcessBuilder(command)
          .directory(new File("/"))
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectErrorStream(true)
          .redirectOutput(output.toFile());
      cleanEnvironment(builder.environment());
      Process process = builder.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
        return new Result(command, -1, read(output) + "\n[pgisolated: killed after "
            + timeout.toMillis() + " ms]");
      }
      return new Result(command, process.exitValue(), read(output));
    } catch (IOException e) {
      return new Result(command, -1, "[pgisolated: could not run: " + e.getMessage() + "]");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EmbeddedPostgresException("Interrupted while running " + command, e);
    } finally {
      if (output != null) {
        try {
          Files.deleteIfExists(output);
        } catch (IOException e) {
          // A leftover temp file is harmless.
        }
      }
    }
  }

  /** Removes {@code PG*} variables and forces the C locale. */
  public static void cleanEnvironment(Map<String, String> environment) {
    environment.keySet().removeIf(name -> name.startsWith("PG"));
    environment.put("LC_ALL", "C");
    environment.remove("LANG");
  }

  /** The executable {@code name} in {@code PATH} or the usual system directories, else null. */
  public static Path find(String name) {
    String path = System.getenv("PATH");
    String dirs = (path == null ? "" : path) + File.pathSeparator
        + "/usr/bin:/bin:/usr/sbin:/sbin:/usr/local/bin";
    for (String dir : dirs.split(File.pathSeparator)) {
      if (!dir.isEmpty()) {
        Path candidate = Path.of(dir, name);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return candidate;
        }
      }
    }
    return null;
  }

  private static String read(Path output) throws IOException {
    byte[] bytes = Files.readAllBytes(output);
    int max = 8000;
    String text = new String(bytes, StandardCharsets.UTF_8).strip();
    return text.length() > max ? "..." + text.substring(text.length() - max) : text;
  }
}
