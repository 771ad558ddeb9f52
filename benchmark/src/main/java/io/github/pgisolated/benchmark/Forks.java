package io.github.pgisolated.benchmark;

import io.github.pgisolated.benchmark.suite.ForkMain;
import io.github.pgisolated.benchmark.suite.Strategy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Starts the benchmark's child JVMs: suite runs of 1 or 3 test JVMs ({@link ForkMain}, what
 * Surefire's {@code forkCount} / {@code reuseForks=true} forks do, without Maven around them) and
 * the lease workers. Each child's stdout and stderr go to a log file of its own.
 */
final class Forks {
  private static final long TIMEOUT_MINUTES = 10;
  private final Path logs;
  private final Map<String, String> common;
  /** Put before every child's command line (e.g. {@code taskset -c 0}); empty: none. */
  private final List<String> prefix;
  /** Numbers the claim directories of suite runs; shared with the pinned copies. */
  private final AtomicInteger claimDirs;

  /**
   * @param common system properties every child gets (the {@code pgisolated.*} ones the
   *     benchmark was given, the endpoint file)
   */
  Forks(Path logs, Map<String, String> common) {
    this(logs, common, List.of(), new AtomicInteger());
  }

  private Forks(Path logs, Map<String, String> common, List<String> prefix, AtomicInteger claimDirs) {
    this.logs = logs;
    this.common = common;
    this.prefix = prefix;
    this.claimDirs = claimDirs;
  }

  /** The same children, each started on the given CPUs only ({@code taskset -c <cpus>}, Linux). */
  Forks pinnedTo(String cpus) {
    return new Forks(logs, common, List.of("taskset", "-c", cpus), claimDirs);
  }

  /** A child JVM on this JVM's classpath, as a Surefire fork would be started (no JVM options). */
  Process start(String name, Class<?> main, Map<String, String> properties, List<String> args) throws IOException {
    List<String> command = new ArrayList<>(prefix);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Map<String, String> all = new LinkedHashMap<>(common);
    all.putAll(properties);
    all.forEach((k, v) -> command.add("-D" + k + "=" + v));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(args);
    Path log = log(name);
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  Path log(String name) {
    return logs.resolve(name + ".log");
  }

  /** What one suite run took, the forks' logs and their {@code PhaseTimer} files. */
  record SuiteRun(double seconds, List<Path> logs, List<Path> phases) {}

  /**
   * Runs test classes in {@code forks} JVMs at once, each taking the next unclaimed class, and
   * returns the wall time from starting the first JVM to the exit of the last.
   *
   * @throws IllegalStateException when a test failed or a JVM did not exit in time
   */
  SuiteRun runSuite(String name, Strategy strategy, int forks, List<String> classes, Map<String, String> properties)
      throws IOException, InterruptedException {
    Path claims = Files.createDirectories(logs.resolveSibling("claims").resolve(Integer.toString(claimDirs.incrementAndGet())));
    List<Process> processes = new ArrayList<>();
    List<Path> forkLogs = new ArrayList<>();
    List<Path> phases = new ArrayList<>();
    long start = System.nanoTime();
    for (int fork = 1; fork <= forks; fork++) {
      Map<String, String> props = new LinkedHashMap<>(properties);
      props.put(Strategy.PROPERTY, strategy.id());
      props.put("bench.fork", Integer.toString(fork));
      props.put("bench.claims", claims.toString());
      String forkName = name + "-fork" + fork;
      phases.add(logs.resolve(forkName + ".phases"));
      props.put("bench.phases", phases.get(fork - 1).toString());
      processes.add(start(forkName, ForkMain.class, props, classes));
      forkLogs.add(log(forkName));
    }
    for (int i = 0; i < processes.size(); i++) {
      awaitSuccess(processes.get(i), forkLogs.get(i));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return new SuiteRun(seconds, forkLogs, phases);
  }

  /** Waits for a child and throws, with the end of its log, unless it exited with 0. */
  static void awaitSuccess(Process process, Path log) throws InterruptedException, IOException {
    if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException("A benchmark JVM did not finish within " + TIMEOUT_MINUTES + " minutes: " + log);
    }
    if (process.exitValue() != 0) {
      List<String> lines = Files.readAllLines(log);
      throw new IllegalStateException("A benchmark JVM failed (exit " + process.exitValue() + "); the end of " + log
          + ":\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size())));
    }
  }
}
