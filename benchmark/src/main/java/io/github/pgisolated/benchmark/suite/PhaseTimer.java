package io.github.pgisolated.benchmark.suite;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

/**
 * Where a suite test's time goes, per test: <em>setup</em> (from the first before-each callback
 * to the test body, with its parameters resolved: for {@code @PgIsolated} the lease, for the
 * by-hand strategies the clone, reseed or transaction), the body's <em>first connection</em>, the
 * rest of the body (<em>work</em>) and <em>teardown</em> (the after-each callbacks: giving the
 * database back, dropping it, rolling back). Registered on {@link OrdersSuite} so that it wraps
 * the strategy's own extension. The fork writes the figures with {@link #write}.
 */
public final class PhaseTimer implements BeforeEachCallback, InvocationInterceptor, AfterEachCallback {
  private static final ThreadLocal<long[]> CURRENT = new ThreadLocal<>();
  private static final Queue<long[]> TESTS = new ConcurrentLinkedQueue<>();
  private static volatile long firstTestStart;

  @Override
  public void beforeEach(ExtensionContext context) {
    long now = System.nanoTime();
    if (firstTestStart == 0) {
      firstTestStart = System.currentTimeMillis();
    }
    CURRENT.set(new long[] {now, 0, 0, 0});
  }

  @Override
  public void interceptTestTemplateMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
      ExtensionContext extensionContext) throws Throwable {
    time(invocation);
  }

  @Override
  public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
      ExtensionContext extensionContext) throws Throwable {
    time(invocation);
  }

  private static void time(Invocation<Void> invocation) throws Throwable {
    long[] t = CURRENT.get();
    if (t != null) {
      t[1] = System.nanoTime();
    }
    try {
      invocation.proceed();
    } finally {
      if (t != null) {
        t[3] = System.nanoTime();
      }
    }
  }

  /** Called by the workload once its first connection is open. */
  static void connected() {
    long[] t = CURRENT.get();
    if (t != null && t[2] == 0) {
      t[2] = System.nanoTime();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    long now = System.nanoTime();
    long[] t = CURRENT.get();
    CURRENT.remove();
    if (t == null || t[1] == 0 || t[3] == 0) {
      return;
    }
    long connected = t[2] == 0 ? t[1] : t[2];
    TESTS.add(new long[] {t[1] - t[0], connected - t[1], t[3] - connected, now - t[3]});
  }

  /**
   * Writes one {@code T <setup> <first connection> <work> <teardown>} line (ns) per test and one
   * {@code S <JVM start to first test> <last test to now>} line (ms), and one {@code C <CPU> <JIT> <GC>}
   * line (ms): the CPU time this JVM used, all its threads, how much of it its JIT compiler threads
   * used, and the time its garbage collectors report.
   */
  static void write(Path file, long lastTestEndMillis) throws IOException {
    List<String> lines = new ArrayList<>();
    for (long[] t : TESTS) {
      lines.add("T " + t[0] + " " + t[1] + " " + t[2] + " " + t[3]);
    }
    long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
    long first = firstTestStart == 0 ? jvmStart : firstTestStart;
    lines.add("S " + (first - jvmStart) + " " + (System.currentTimeMillis() - lastTestEndMillis));
    long cpu = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() / 1_000_000 : -1;
    long jit = compilerThreadsCpuMillis();
    long gc = ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(b -> Math.max(0, b.getCollectionTime()))
        .sum();
    lines.add("C " + cpu + " " + jit + " " + gc);
    Files.write(file, lines);
  }

  /**
   * The CPU time of the JIT compiler threads, from Linux's {@code /proc/self/task} (HotSpot names
   * them "C1 CompilerThreadN" and "C2 CompilerThreadN"); else the JVM's compile time, which under
   * load also counts the time they waited for a core.
   */
  private static long compilerThreadsCpuMillis() {
    Path tasks = Path.of("/proc/self/task");
    if (Files.isDirectory(tasks)) {
      long ticks = 0;
      try (java.util.stream.Stream<Path> all = Files.list(tasks)) {
        for (Path task : (Iterable<Path>) all::iterator) {
          String stat;
          try {
            stat = Files.readString(task.resolve("stat"));
          } catch (IOException ended) {
            continue;
          }
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
          }
        }
        // USER_HZ: 100 on every Linux architecture.
        return ticks * 10;
      } catch (IOException | RuntimeException e) {
        // fall through to the JVM's own figure
      }
    }
    return ManagementFactory.getCompilationMXBean() == null ? -1
        : ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
  }
}
