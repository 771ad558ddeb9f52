package io.github.pgisolated.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code pgisolated} command run as a real child JVM (the main class from the test classpath:
 * the shaded jar is only built after the tests), with the test's environment plus overrides.
 * Its stdout and stderr are collected line by line.
 */
final class CliProcess implements AutoCloseable {
  private static final Pattern EXPORT = Pattern.compile("export ([A-Z_]+)='(.*)'");

  private final Process process;
  private final List<String> out = new ArrayList<>();
  private final List<String> err = new ArrayList<>();

  private CliProcess(Process process) {
    this.process = process;
    collect(process.getInputStream(), out, "stdout");
    collect(process.getErrorStream(), err, "stderr");
  }

  static CliProcess start(Path workingDirectory, Map<String, String> env, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(PgIsolatedCli.class.getName());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile());
    builder.environment().putAll(env);
    return new CliProcess(builder.start());
  }

  private static void collect(InputStream stream, List<String> lines, String name) {
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          synchronized (lines) {
            lines.add(line);
            lines.notifyAll();
          }
        }
      } catch (IOException ignored) {
        // the process is gone
      }
    }, "cli-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  /** Waits for serve's "ready" line on stderr and returns the variables it printed with --print-env. */
  Map<String, String> awaitReady(Duration timeout) throws InterruptedException {
    awaitLine(err, "pgisolated serve is ready", timeout);
    // --print-env's lines are on stdout, read by another thread: the last one is PGPASSWORD.
    awaitLine(out, "export PGPASSWORD=", Duration.ofSeconds(10));
    Map<String, String> env = new LinkedHashMap<>();
    synchronized (out) {
      for (String line : out) {
        Matcher m = EXPORT.matcher(line);
        if (m.matches()) {
          env.put(m.group(1), m.group(2));
        }
      }
    }
    return env;
  }

  /** Waits until stderr has a line containing {@code text}. */
  void awaitStderr(String text, Duration timeout) throws InterruptedException {
    awaitLine(err, text, timeout);
  }

  private void awaitLine(List<String> lines, String text, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lines) {
      while (lines.stream().noneMatch(l -> l.contains(text))) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || (!process.isAlive() && lines.stream().noneMatch(l -> l.contains(text)))) {
          if (!process.isAlive()) {
            Thread.sleep(200); // let the readers drain
          }
          throw new AssertionError("pgisolated printed no line with '" + text + "' within " + timeout + " (alive: "
              + process.isAlive() + ")\nstdout:\n" + String.join("\n", stdout()) + "\nstderr:\n" + String.join("\n", stderr()));
        }
        lines.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 200)));
      }
    }
  }

  /**
   * Whether this JVM was started with SIGINT ignored, as a shell without job control starts
   * background commands ({@code cmd &} in a script): a child inherits that, and a JVM started so
   * does not install a SIGINT handler, so SIGINT can't reach the CLI. Read from Linux's
   * {@code /proc/self/status}; false where it can't be read.
   */
  static boolean sigintIgnoredHere() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("SigIgn:")) {
          // Bit n-1 stands for signal n; SIGINT is 2.
          return (Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16) & 0x2) != 0;
        }
      }
    } catch (IOException | RuntimeException e) {
      return false;
    }
    return false;
  }

  /** Sends SIGINT or SIGTERM. */
  void signal(String signal) throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-s", signal, Long.toString(process.pid())).inheritIO().start().waitFor();
  }

  int waitFor(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("pgisolated did not exit within " + timeout + "\nstderr:\n" + String.join("\n", stderr()));
    }
    Thread.sleep(100); // let the readers drain
    return process.exitValue();
  }

  List<String> stdout() {
    synchronized (out) {
      return new ArrayList<>(out);
    }
  }

  List<String> stderr() {
    synchronized (err) {
      return new ArrayList<>(err);
    }
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }
}
