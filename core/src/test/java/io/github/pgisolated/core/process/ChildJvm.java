package io.github.pgisolated.core.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real child JVM running a main class from the test classpath, whose stdout lines the test can
 * wait for. Killed with SIGKILL ({@link #kill()}) or left to finish.
 */
final class ChildJvm implements AutoCloseable {
  private final String name;
  private final Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<String> all = new ArrayList<>();

  private ChildJvm(String name, Process process) {
    this.name = name;
    this.process = process;
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          synchronized (all) {
            all.add(line);
          }
          lines.add(line);
        }
      } catch (IOException ignored) {
        // The child is gone.
      }
    }, "child-" + name + "-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  static ChildJvm start(String name, Class<?> main, Map<String, String> systemProperties, Path log, String... args)
      throws IOException {
    Map<String, String> properties = new java.util.LinkedHashMap<>();
    // No refill process after a child's run unless a test asks for one: it would outlive the test.
    properties.put("pgisolated.pool.refill", "false");
    properties.putAll(systemProperties);
    return start(name, main, properties, System.getProperty("java.class.path"), log, args);
  }

  /** A child on a class path of the test's choosing (another pgisolated version), with exactly these properties. */
  static ChildJvm start(String name, Class<?> main, Map<String, String> systemProperties, String classPath, Path log,
      String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-XX:TieredStopAtLevel=1");
    systemProperties.forEach((k, v) -> command.add("-D" + k + "=" + v));
    command.add("-cp");
    command.add(classPath);
    command.add(main.getName());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(log.toFile());
    return new ChildJvm(name, builder.start());
  }

  /** Waits for a stdout line matching the pattern and returns its match. */
  Matcher await(Pattern pattern, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long remaining = deadline - System.nanoTime();
      String line = remaining > 0 ? lines.poll(remaining, TimeUnit.NANOSECONDS) : null;
      if (line == null) {
        throw new AssertionError(name + " printed no line matching " + pattern + " within " + timeout
            + " (alive: " + process.isAlive() + "); its output: " + output());
      }
      Matcher m = pattern.matcher(line);
      if (m.matches()) {
        return m;
      }
    }
  }

  /** How many {@code LEASED} lines (of {@link LeaseWorker}) the child printed so far. */
  int leases() {
    synchronized (all) {
      return (int) all.stream().filter(l -> l.startsWith("LEASED ")).count();
    }
  }

  /** Waits until the child printed {@code count} {@code LEASED} lines. */
  void awaitLeases(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (leases() < count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(name + " leased " + leases() + " of " + count + " databases within " + timeout
            + "; its output: " + output());
      }
      Thread.sleep(20);
    }
  }

  int waitFor(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(name + " did not finish within " + timeout + "; its output: " + output());
    }
    return process.exitValue();
  }

  /** SIGKILL: no shutdown hooks, no clean-up, sockets closed by the kernel. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  long pid() {
    return process.pid();
  }

  List<String> output() {
    synchronized (all) {
      return new ArrayList<>(all);
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ")";
  }
}
