package io.github.pgisolated.junitversions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * What the extension promises, on the JUnit version this module runs (5.10, the newest 5.x or the
 * newest 6.x; see its pom): the extension's jar is the one built against 5.13.
 */
class JUnitVersionTests {
  private static final String VERSION = System.getProperty("pgisolatedtest.junit-version");

  @BeforeEach
  void forgetWhatEarlierRunsSaw() {
    VersionTestCases.SEEN.clear();
    VersionTestCases.DATABASES.clear();
  }

  private static EngineExecutionResults run(Class<?> fixture, Map<String, String> configuration) {
    return EngineTestKit.engine("junit-jupiter").configurationParameters(configuration).selectors(selectClass(fixture))
        .execute();
  }

  /** Whether this JUnit can create a test instance in its test method's context (5.12 and later). */
  private static boolean instancesInTheMethodsContext() {
    String[] parts = VERSION.split("\\.");
    int major = Integer.parseInt(parts[0]);
    return major > 5 || Integer.parseInt(parts[1]) >= 12;
  }

  /** Whether this JUnit has the launcher-session store (5.13 and later). */
  private static boolean launcherSessionStore() {
    String[] parts = VERSION.split("\\.");
    return Integer.parseInt(parts[0]) > 5 || Integer.parseInt(parts[1]) >= 13;
  }

  @Test
  void theTestsRunOnTheJUnitVersionOfThisModule() {
    assertThat(VERSION).as("the module's junit.version").isNotBlank();
    assertThat(Test.class.getPackage().getImplementationVersion()).isEqualTo(VERSION);
    assertThat(EngineTestKit.class.getPackage().getImplementationVersion()).endsWith(VERSION.substring(VERSION.indexOf('.')));
  }

  @Test
  void beforeEachTheTestAndAfterEachShareOneDatabase() {
    run(VersionTestCases.LifecycleMethods.class, Map.of()).testEvents().assertStatistics(s -> s.succeeded(1).failed(0));
    Map<String, String> seen = VersionTestCases.SEEN;
    assertThat(seen.get("test")).startsWith("pgisolated_");
    assertThat(List.of(seen.get("beforeEach"), seen.get("afterEach"))).containsOnly(seen.get("test"));
  }

  @Test
  void constructorsGetTheTestsDatabaseFromJUnit512OnAndAClearErrorBefore() {
    EngineExecutionResults results = run(VersionTestCases.ConstructorInjection.class, Map.of());
    if (instancesInTheMethodsContext()) {
      results.testEvents().assertStatistics(s -> s.succeeded(1).failed(0));
      assertThat(VersionTestCases.SEEN.get("constructor")).startsWith("pgisolated_")
          .isEqualTo(VersionTestCases.SEEN.get("test"));
    } else {
      results.testEvents().assertStatistics(s -> s.failed(1));
      Throwable failure = results.testEvents().failed().list().get(0).getPayload(TestExecutionResult.class)
          .flatMap(TestExecutionResult::getThrowable).orElseThrow();
      assertThat(failure).isInstanceOf(ParameterResolutionException.class)
          .hasMessageContaining("the constructor of ConstructorInjection")
          .hasMessageContaining("or JUnit before 5.12");
    }
  }

  @Test
  void testsRunningInParallelEachGetTheirOwnDatabase() {
    VersionTestCases.MOST_AT_ONCE.set(0);
    Map<String, String> parallel = Map.of(
        "junit.jupiter.execution.parallel.enabled", "true",
        "junit.jupiter.execution.parallel.mode.default", "concurrent",
        "junit.jupiter.execution.parallel.config.strategy", "fixed",
        "junit.jupiter.execution.parallel.config.fixed.parallelism", "3");
    run(VersionTestCases.EveryTestItsOwn.class, parallel).testEvents().assertStatistics(s -> s.succeeded(6).failed(0));
    // Each inserted the same unique name and created the same table: sharing a database would have failed one.
    assertThat(VersionTestCases.DATABASES).hasSize(6);
    assertThat(VersionTestCases.MOST_AT_ONCE.get()).as("tests that ran at the same time").isGreaterThan(1);
  }

  @Test
  void anIdeStyleRunEndsWithTheRunReportAsTheLauncherSessionOrTheJvmEnds() throws Exception {
    Path output = Files.createTempFile("pgisolated-console", ".log");
    try (ConsoleLauncher launcher = ConsoleLauncher.start(VersionTestCases.OneClassInAnIde.class, output)) {
      int exit = launcher.waitFor(120);
      String log = launcher.output();
      assertThat(exit).as(log).isZero();
      assertThat(log).contains("2 tests successful").contains("0 tests failed");
      // JUnit 5.13+ closes the pool with the launcher session (on the launcher's thread, through the
      // launcher-session store); older ones when the JVM exits (a shutdown hook): the report comes either way.
      String closedBy = launcherSessionStore() ? "main" : "pgisolated-shutdown";
      assertThat(log).containsPattern("\\[" + closedBy + "\\] INFO \\S+ - pgisolated run report for JVM " + launcher.pid()
          + "(, the coordinator)?:").containsPattern("leases: +2 ");
    } finally {
      Files.deleteIfExists(output);
    }
  }
}
