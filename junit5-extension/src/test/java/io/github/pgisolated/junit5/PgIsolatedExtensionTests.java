package io.github.pgisolated.junit5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.github.pgisolated.core.InvalidConfigurationException;
import io.github.pgisolated.core.TemplateBuildException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.EventType;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.opentest4j.AssertionFailedError;

/**
 * The extension's behaviour, through JUnit's own engine (fixtures in {@link LifecycleTestCases}).
 * The fixtures report through static state, so these tests take turns.
 */
@ResourceLock("LifecycleTestCases")
class PgIsolatedExtensionTests {

  @BeforeEach
  void forgetWhatEarlierRunsSaw() {
    LifecycleTestCases.SEEN.clear();
    LifecycleTestCases.DATABASES.clear();
  }

  private static EngineExecutionResults run(Class<?> fixture, Map<String, String> configuration) {
    return EngineTestKit.engine("junit-jupiter")
        .configurationParameters(configuration)
        .selectors(selectClass(fixture))
        .execute();
  }

  private static EngineExecutionResults run(Class<?> fixture) {
    return run(fixture, Map.of());
  }

  private static Throwable failureOf(Event event) {
    return event.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable).orElseThrow();
  }

  @Test
  void resolvesDataSourceConnectionAndPgDatabaseForTheSameDatabase() {
    run(LifecycleTestCases.AllParameterTypes.class).testEvents().assertStatistics(s -> s.succeeded(1).failed(0));
    Map<String, String> seen = LifecycleTestCases.SEEN;
    assertThat(seen.get("database")).startsWith("pgisolated_");
    assertThat(seen.get("dataSource")).isEqualTo(seen.get("database"));
    assertThat(seen.get("connection")).isEqualTo(seen.get("database"));
    assertThat(seen.get("customers")).isEqualTo("2");
  }

  @Test
  void constructorBeforeEachTestAndAfterEachShareOneDatabase() {
    run(LifecycleTestCases.SharedAcrossLifecycle.class).testEvents().assertStatistics(s -> s.succeeded(1).failed(0));
    Map<String, String> seen = LifecycleTestCases.SEEN;
    assertThat(seen.get("test")).startsWith("pgisolated_");
    assertThat(List.of(seen.get("constructor"), seen.get("beforeEach"), seen.get("afterEach")))
        .containsOnly(seen.get("test"));
  }

  @Test
  void everyTestGetsAFreshDatabaseOfItsOwn() {
    run(LifecycleTestCases.EveryTestItsOwn.class).testEvents().assertStatistics(s -> s.succeeded(6).failed(0));
    assertThat(LifecycleTestCases.DATABASES).hasSize(6);
  }

  @Test
  void aDatabaseWhoseTestOnlyWroteRowsIsResetInPlaceAndUsedAgain() {
    run(LifecycleTestCases.OnlyWritesRows.class).testEvents().assertStatistics(s -> s.succeeded(6).failed(0));
    assertThat(LifecycleTestCases.DATABASES).hasSize(6);
    assertThat(Set.copyOf(LifecycleTestCases.DATABASES)).as("databases (by oid) the six tests ran on").hasSizeLessThan(6);
  }

  @Test
  void resetRecreateGivesEveryTestANewlyCreatedDatabase() {
    run(LifecycleTestCases.AlwaysRecreated.class).testEvents().assertStatistics(s -> s.succeeded(6).failed(0));
    assertThat(Set.copyOf(LifecycleTestCases.DATABASES)).as("databases (by oid) the six tests ran on").hasSize(6);
  }

  @Test
  void theResetConfigurationKeyAppliesToTestsThatDontSayOtherwise() {
    run(LifecycleTestCases.OnlyWritesRows.class, Map.of("pgisolated.reset", "recreate"))
        .testEvents().assertStatistics(s -> s.succeeded(6).failed(0));
    assertThat(Set.copyOf(LifecycleTestCases.DATABASES)).as("databases (by oid) the six tests ran on").hasSize(6);
  }

  @Test
  void testsRunningInParallelEachGetTheirOwnDatabase() {
    Map<String, String> parallel = Map.of(
        "junit.jupiter.execution.parallel.enabled", "true",
        "junit.jupiter.execution.parallel.mode.default", "concurrent",
        "junit.jupiter.execution.parallel.config.strategy", "fixed",
        "junit.jupiter.execution.parallel.config.fixed.parallelism", "4");
    run(LifecycleTestCases.EveryTestItsOwn.class, parallel).testEvents().assertStatistics(s -> s.succeeded(6).failed(0));
    // Each test inserted the same unique name and created the same table: had two shared a
    // database, one would have failed.
    assertThat(LifecycleTestCases.DATABASES).hasSize(6);
  }

  @Test
  void nestedClassesInheritTheAnnotation() {
    run(LifecycleTestCases.Outer.class).testEvents().assertStatistics(s -> s.succeeded(1).failed(0));
    assertThat(LifecycleTestCases.SEEN).containsEntry("nested.customers", "2");
  }

  @Test
  void anAnnotationOnTheMethodIsEnough() {
    run(LifecycleTestCases.OnTheMethodOnly.class).testEvents().assertStatistics(s -> s.succeeded(1).failed(0));
    assertThat(LifecycleTestCases.SEEN).containsEntry("method.customers", "2");
  }

  @Test
  void askingForADatabaseInBeforeAllFailsWithWhatToDoInstead() {
    EngineExecutionResults events = run(LifecycleTestCases.AsksInBeforeAll.class);
    Event failed = events.allEvents().failed().list().get(0);
    assertThat(failureOf(failed))
        .isInstanceOf(ParameterResolutionException.class)
        .hasMessageContaining("Parameter 1 (DataSource) of AsksInBeforeAll.setUp")
        .hasMessageContaining("a database belongs to one test method")
        .hasMessageContaining("@BeforeEach");
    assertThat(LifecycleTestCases.SEEN).doesNotContainKey("beforeAll.test");
  }

  @Test
  void aMissingScriptFailsTheTestNamingTheScript() {
    EngineExecutionResults events = run(LifecycleTestCases.MissingScript.class);
    events.testEvents().assertStatistics(s -> s.failed(1));
    assertThat(failureOf(events.testEvents().failed().list().get(0)))
        .isInstanceOf(ParameterResolutionException.class)
        .hasMessageContaining("db/does-not-exist.sql")
        .hasMessageContaining("is not on the classpath")
        .hasRootCauseInstanceOf(InvalidConfigurationException.class);
  }

  @Test
  void migrationsWithoutTheToolOnTheClasspathFailNamingTheArtifactToAdd() {
    assertThatThrownBy(() -> Class.forName("org.flywaydb.core.Flyway"))
        .as("this module's test classpath must not have Flyway")
        .isInstanceOf(ClassNotFoundException.class);
    EngineExecutionResults events = run(LifecycleTestCases.FlywayNotOnTheClasspath.class);
    events.testEvents().assertStatistics(s -> s.failed(1));
    assertThat(failureOf(events.testEvents().failed().list().get(0)))
        .isInstanceOf(ParameterResolutionException.class)
        .hasMessageContaining("The template asks for Flyway migrations (@PgIsolated(flyway = ...))")
        .hasMessageContaining("org.flywaydb:flyway-core and org.flywaydb:flyway-database-postgresql are not on the test classpath")
        .hasMessageContaining("<artifactId>flyway-core</artifactId>")
        .hasRootCauseInstanceOf(InvalidConfigurationException.class);
    assertThat(LifecycleTestCases.SEEN).doesNotContainKey("flyway");
  }

  @Test
  void aFailingScriptFailsEveryTestWithTheScriptsLine() {
    EngineExecutionResults events = run(LifecycleTestCases.BrokenScript.class);
    events.testEvents().assertStatistics(s -> s.failed(2).succeeded(0));
    for (Event failed : events.testEvents().failed().list()) {
      assertThat(failureOf(failed))
          .isInstanceOf(ParameterResolutionException.class)
          .hasMessageContaining("Template script db/broken.sql failed at line 4")
          .hasMessageContaining("create tabel broken")
          .hasCauseInstanceOf(TemplateBuildException.class);
    }
  }

  @Test
  void aLeakedConnectionIsReportedAndFailsTheTestWhenAskedTo() {
    EngineExecutionResults events = run(LifecycleTestCases.LeaksAConnection.class, Map.of("pgisolated.leak-detection", "fail"));
    events.testEvents().assertStatistics(s -> s.failed(1));
    assertThat(failureOf(events.testEvents().failed().list().get(0)))
        .isInstanceOf(AssertionFailedError.class)
        .hasMessageContaining("LeaksAConnection.forgetsToClose left 1 connection(s) open on pgisolated_")
        .hasMessageContaining("1 taken from the injected DataSource and not closed")
        .hasMessageContaining("pgisolated.leak-detection");
  }

  @Test
  void aLeakedConnectionOnlyWarnsByDefault() {
    EngineExecutionResults events = run(LifecycleTestCases.LeaksAConnection.class);
    events.testEvents().assertStatistics(s -> s.succeeded(1).failed(0));
    assertThat(events.allEvents().stream().filter(e -> e.getType() == EventType.REPORTING_ENTRY_PUBLISHED))
        .anySatisfy(e -> assertThat(e.toString()).contains("pgisolated.leaked-connections"));
  }

  @Test
  void aFailedTestsDatabaseIsKeptAndItsUrlIsPartOfTheFailure() throws Exception {
    EngineExecutionResults events = run(LifecycleTestCases.FailsOnPurpose.class);
    events.testEvents().assertStatistics(s -> s.failed(1));
    Throwable failure = failureOf(events.testEvents().failed().list().get(0));
    assertThat(failure).isInstanceOf(AssertionError.class);
    assertThat(failure.getSuppressed()).hasSize(1);
    String note = failure.getSuppressed()[0].getMessage();
    assertThat(note).startsWith("pgisolated kept this test's database for debugging: jdbc:postgresql://127.0.0.1:")
        .contains("It is dropped by the next run");
    java.util.regex.Matcher url = java.util.regex.Pattern.compile("(jdbc:postgresql://\\S+/(pgisolated_\\w+_k\\d{4})) \\(user (\\S+), password (\\S+)\\)")
        .matcher(note);
    assertThat(url.find()).as(note).isTrue();
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(url.group(1), url.group(3), url.group(4));
        java.sql.Statement s = c.createStatement();
        java.sql.ResultSet rs = s.executeQuery("select count(*) from customer where name = 'evidence'")) {
      rs.next();
      assertThat(rs.getInt(1)).as("the failed test's rows are there to look at").isEqualTo(1);
    }
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(url.group(1).replace(url.group(2), "postgres"),
        url.group(3), url.group(4)); java.sql.Statement s = c.createStatement()) {
      s.execute("drop database \"" + url.group(2) + "\" with (force)");
    }
  }

  @Test
  void aReadOnlyTestCannotWriteAndItsDatabaseIsNotRecreated() {
    run(LifecycleTestCases.OnlyReads.class).testEvents().assertStatistics(s -> s.succeeded(3).failed(0));
    assertThat(LifecycleTestCases.SEEN).doesNotContainKey("readOnly.wrote");
    assertThat(LifecycleTestCases.SEEN.get("readOnly.refused")).contains("read-only transaction");
  }
}
