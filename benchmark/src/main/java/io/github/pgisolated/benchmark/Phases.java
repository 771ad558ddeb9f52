package io.github.pgisolated.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the suite's time went for one strategy and fork count, over all measured rounds: the
 * mean per test of each phase the forks' {@code PhaseTimer} recorded, and the median time from a
 * fork JVM's start to its first test and from its last test to its end.
 */
final class Phases {
  private final List<long[]> tests = new ArrayList<>();
  private final List<Double> startups = new ArrayList<>();
  private final List<Double> shutdowns = new ArrayList<>();
  private long jvmCpuMillis;
  private long jitMillis;
  private long serverCpuMillis;
  private boolean cpuKnown = true;

  /** Adds the figures of one fork's file ({@code T} and {@code S} lines). */
  void add(Path file) throws IOException {
    for (String line : Files.readAllLines(file)) {
      String[] p = line.split(" ");
      if (p[0].equals("T")) {
        tests.add(new long[] {Long.parseLong(p[1]), Long.parseLong(p[2]), Long.parseLong(p[3]), Long.parseLong(p[4])});
      } else if (p[0].equals("S")) {
        startups.add(Double.parseDouble(p[1]));
        shutdowns.add(Double.parseDouble(p[2]));
      } else if (p[0].equals("C")) {
        long cpu = Long.parseLong(p[1]);
        cpuKnown &= cpu >= 0;
        jvmCpuMillis += cpu;
        jitMillis += Math.max(0, Long.parseLong(p[2]));
      }
    }
  }

  /** What the server's processes used during one suite run (ms of CPU); negative: not known. */
  void addServerCpu(long millis) {
    cpuKnown &= millis >= 0;
    serverCpuMillis += millis;
  }

  /** The figures, in ms. */
  Summary summary() {
    double[] mean = new double[4];
    for (long[] t : tests) {
      for (int i = 0; i < 4; i++) {
        mean[i] += t[i] / 1e6 / tests.size();
      }
    }
    double n = tests.size();
    Cpu cpu = cpuKnown && n > 0 ? new Cpu(jvmCpuMillis / n, jitMillis / n, serverCpuMillis / n) : null;
    return new Summary(tests.size(), Stats.median(startups), mean[0], mean[1], mean[2], mean[3], Stats.median(shutdowns),
        cpu);
  }

  /**
   * Means per test and medians per fork JVM, in ms.
   *
   * @param startup a fork JVM's start to its first test (median over the forks)
   * @param setup before-each callbacks and parameter resolution (the lease, the clone, the reseed)
   * @param connection the test's first {@code getConnection()}
   * @param work the rest of the test body
   * @param teardown after-each callbacks (giving back, dropping, rolling back)
   * @param shutdown a fork JVM's last test to its end (closing the pool; median over the forks)
   * @param cpu the CPU the run used per test, null when it could not be read
   */
  record Summary(int tests, double startup, double setup, double connection, double work, double teardown,
      double shutdown, Cpu cpu) {
    double perTest() {
      return setup + connection + work + teardown;
    }
  }

  /**
   * CPU time per test, in ms, over whole runs (JVM start and end included): what bounds the wall
   * time on a machine with few cores, where the test JVMs and the server share them.
   *
   * @param jvm the test JVMs, every thread
   * @param jit of which the JVMs' JIT compiler threads
   * @param server the PostgreSQL server's processes: postmaster, backends (ended ones included), helpers
   */
  record Cpu(double jvm, double jit, double server) {
    double total() {
      return jvm + server;
    }
  }
}
