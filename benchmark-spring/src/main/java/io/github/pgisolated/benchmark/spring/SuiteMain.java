package io.github.pgisolated.benchmark.spring;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.github.pgisolated.benchmark.spring.isolated.PgIsolatedSuite;
import io.github.pgisolated.benchmark.spring.shared.SharedDatabaseSuite;
import io.github.pgisolated.benchmark.spring.zonky.ZonkySuite;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * One test JVM of the benchmark, as a Surefire fork runs one: the 100 tests of one way of
 * isolating them, through JUnit's launcher, then a {@code RESULT} line with what it measured
 * (times from the JVM's start, so that the context's start is in them).
 */
public final class SuiteMain {
  private SuiteMain() {}

  public static void main(String[] args) {
    String variant = args[0];
    boolean parallel = args.length > 1 && args[1].equals("parallel");
    Class<?> suite = switch (variant) {
      case "shared" -> SharedDatabaseSuite.class;
      case "isolated" -> PgIsolatedSuite.class;
      case "zonky" -> ZonkySuite.class;
      default -> throw new IllegalArgumentException("Unknown variant " + variant);
    };
    List<DiscoverySelector> selectors = Arrays.stream(suite.getDeclaredClasses())
        .sorted(Comparator.comparing(Class::getName)).map(c -> (DiscoverySelector) selectClass(c)).toList();
    Map<String, String> configuration = parallel
        ? Map.of("junit.jupiter.execution.parallel.enabled", "true",
            "junit.jupiter.execution.parallel.mode.default", "concurrent",
            "junit.jupiter.execution.parallel.mode.classes.default", "concurrent",
            "junit.jupiter.execution.parallel.config.strategy", "fixed",
            "junit.jupiter.execution.parallel.config.fixed.parallelism", "2")
        : Map.of("junit.jupiter.execution.parallel.enabled", "false");
    AtomicLong firstStart = new AtomicLong(-1);
    AtomicLong lastEnd = new AtomicLong();
    AtomicInteger passed = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    StringBuilder firstFailure = new StringBuilder();
    TestExecutionListener listener = new TestExecutionListener() {
      @Override
      public void executionStarted(TestIdentifier id) {
        if (id.isTest()) {
          firstStart.compareAndSet(-1, uptime());
        }
      }

      @Override
      public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
          synchronized (firstFailure) {
            if (firstFailure.length() == 0) {
              result.getThrowable().ifPresent(t -> firstFailure.append(describe(t)));
            }
          }
        }
        if (id.isTest()) {
          lastEnd.set(uptime());
          (result.getStatus() == TestExecutionResult.Status.SUCCESSFUL ? passed : failed).incrementAndGet();
        }
      }
    };
    LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectors)
        .configurationParameters(configuration).build(), listener);
    System.out.println(String.format(Locale.ROOT, "RESULT variant=%s passed=%d failed=%d first_test_ms=%d last_test_ms=%d",
        variant + (parallel ? "-parallel" : ""), passed.get(), failed.get(), firstStart.get(), lastEnd.get()));
    if (firstFailure.length() > 0) {
      System.out.println("FIRST_FAILURE " + firstFailure.toString().replace('\n', ' '));
    }
    System.out.flush();
    System.exit(0);
  }

  private static long uptime() {
    return ManagementFactory.getRuntimeMXBean().getUptime();
  }

  /** The failure and its deepest cause, which says what went wrong (a context that did not start). */
  private static String describe(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = t.getClass().getName() + ": " + t.getMessage();
    if (root != t) {
      message += " | root cause " + root.getClass().getName() + ": " + root.getMessage();
    }
    return message.length() > 1500 ? message.substring(0, 1500) + "…" : message;
  }
}
