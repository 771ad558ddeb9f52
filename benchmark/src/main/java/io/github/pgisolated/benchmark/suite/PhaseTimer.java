package io.github.pgisolated.benchmark.suite;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;
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
   * {@code S <JVM start to first test> <last test to now>} line (ms), and one {@code C <CPU> <JIT>}
   * line (ms): the CPU time this JVM used, all its threads, and how much of it its JIT compiler
   * threads used.
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
    lines.add("C " + cpu + " " + compilerThreadsCpuMillis());
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
      try (Stream<Path> all = Files.list(tasks)) {
        return all.map(task -> ProcStat.of(task.resolve("stat"))).flatMap(Optional::stream)
            .filter(t -> t.name().startsWith("C1 CompilerThre") || t.name().startsWith("C2 CompilerThre"))
            .mapToLong(ProcStat::ownMillis).sum();
      } catch (IOException | RuntimeException e) {
        // fall through to the JVM's own figure
      }
    }
    return ManagementFactory.getCompilationMXBean() == null ? -1
        : ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
  }
}
