package io.github.pgisolated.spring;

import static io.github.pgisolated.spring.SpringBootTestsSupport.failureOf;
import static io.github.pgisolated.spring.SpringBootTestsSupport.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.core.TemplateBuildException;
import io.github.pgisolated.spring.app.ContextStarts;
import io.github.pgisolated.spring.app.Seen;
import io.github.pgisolated.spring.app.SpringBootTestCases;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.Event;

/** {@code @PgIsolated} on {@code @SpringBootTest} classes, through JUnit's engine and real application contexts. */
class SpringBootTestsTests {

  @BeforeEach
  void forgetWhatEarlierRunsSaw() {
    Seen.clear();
  }

  @Test
  void oneCachedContextServesManyTestMethodsEachOnItsOwnDatabase() {
    int before = ContextStarts.COUNT.get();
    run(SpringBootTestCases.FirstClass.class, SpringBootTestCases.SecondClass.class)
        .testEvents().assertStatistics(s -> s.succeeded(8).failed(0));
    // Eight tests wrote the same unique row and each saw only the seed and its own write.
    assertThat(Seen.DATABASES).hasSize(8).allSatisfy(db -> assertThat(db).startsWith("pgisolated_"));
    int started = ContextStarts.COUNT.get() - before;
    assertThat(started).as("application contexts started for two classes with the same configuration").isLessThanOrEqualTo(1);
  }

  @Test
  void theContextIsBuiltOnceAndReusedByLaterRuns() {
    run(SpringBootTestCases.FirstClass.class).testEvents().assertStatistics(s -> s.succeeded(4).failed(0));
    int afterFirst = ContextStarts.COUNT.get();
    run(SpringBootTestCases.SecondClass.class, SpringBootTestCases.FirstClass.class)
        .testEvents().assertStatistics(s -> s.succeeded(8).failed(0));
    assertThat(ContextStarts.COUNT.get()).as("contexts started by the second run (all from Spring's cache)")
        .isEqualTo(afterFirst);
  }

  @Test
  void transactionalTestsRollBackAndCommittedWritesStayInTheTestsOwnDatabase() {
    run(SpringBootTestCases.TransactionalTests.class).testEvents().assertStatistics(s -> s.succeeded(3).failed(0));
    // After each test's transaction: 2 (rolled back), 3 (committed: the test's own database has it), 2.
    List<String> counts = List.of(Seen.VALUES.get("afterTransaction.counts").split(","));
    assertThat(counts).hasSize(3).containsOnlyOnce("3").contains("2");
    assertThat(Seen.VALUES.get("committed.database")).startsWith("pgisolated_");
  }

  @Test
  void parallelTestMethodsOnOneContextEachHaveTheirOwnDatabase() {
    Map<String, String> parallel = Map.of(
        "junit.jupiter.execution.parallel.enabled", "true",
        "junit.jupiter.execution.parallel.config.strategy", "fixed",
        "junit.jupiter.execution.parallel.config.fixed.parallelism", "4");
    SpringBootTestCases.ParallelTests.MOST_AT_ONCE.set(0);
    run(parallel, SpringBootTestCases.ParallelTests.class).testEvents().assertStatistics(s -> s.succeeded(8).failed(0));
    assertThat(SpringBootTestCases.ParallelTests.MOST_AT_ONCE.get()).as("tests that ran at the same time").isGreaterThan(1);
    assertThat(Seen.DATABASES).hasSize(8);
  }

  @Test
  void parametersOfASpringTestAreOnTheContextsDatabaseForThatTest() {
    run(SpringBootTestCases.ParameterTests.class).testEvents().assertStatistics(s -> s.succeeded(2).failed(0));
    assertThat(Seen.VALUES.get("parameters.database")).startsWith("pgisolated_");
  }

  @Test
  void theApplicationsFlywaySettingsMigrateTheTemplate() {
    run(SpringBootTestCases.CustomFlywaySettings.class).testEvents().assertStatistics(s -> s.succeeded(1).failed(0));
  }

  @Test
  void theApplicationsLiquibaseSettingsUpdateTheTemplate() {
    run(SpringBootTestCases.LiquibaseSettings.class).testEvents().assertStatistics(s -> s.succeeded(1).failed(0));
  }

  @Test
  void aFailingMigrationFailsTheTestsWithFlywaysError() {
    EngineExecutionResults results = run(SpringBootTestCases.BrokenMigration.class);
    results.testEvents().assertStatistics(s -> s.failed(2).succeeded(0));
    Event first = results.testEvents().failed().list().get(0);
    Throwable build = causeOfType(failureOf(first), TemplateBuildException.class);
    assertThat(build.getMessage())
        .contains("Spring Boot's Flyway (spring.flyway.*, locations [classpath:db/broken]) could not migrate the template")
        .contains("V2__fill_shelf.sql")
        .contains("idd")
        .contains("Fix the migration");
  }

  @Test
  void aFailedTestsDatabaseIsKeptAndItsUrlIsPartOfTheFailure() {
    EngineExecutionResults results = run(SpringBootTestCases.FailsOnPurpose.class);
    results.testEvents().assertStatistics(s -> s.failed(1));
    Throwable failure = failureOf(results.testEvents().failed().list().get(0));
    assertThat(failure).isInstanceOf(AssertionError.class);
    assertThat(failure.getSuppressed()).hasSize(1);
    assertThat(failure.getSuppressed()[0].getMessage())
        .startsWith("pgisolated kept this test's database for debugging: jdbc:postgresql://127.0.0.1:")
        .containsPattern("pgisolated_\\w+_k\\d{4}");
  }

  private static Throwable causeOfType(Throwable failure, Class<? extends Throwable> type) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (type.isInstance(cause)) {
        return cause;
      }
    }
    throw new AssertionError("No " + type.getSimpleName() + " among the causes of " + failure, failure);
  }

  @Test
  void workOnAnotherThreadWhileTestsRunInParallelFailsSayingWhy() {
    Map<String, String> parallel = Map.of(
        "junit.jupiter.execution.parallel.enabled", "true",
        "junit.jupiter.execution.parallel.config.strategy", "fixed",
        "junit.jupiter.execution.parallel.config.fixed.parallelism", "2");
    run(parallel, SpringBootTestCases.OtherThreadWhileParallel.class)
        .testEvents().assertStatistics(s -> s.succeeded(2).failed(0));
    assertThat(Seen.VALUES.get("otherThread.error"))
        .contains("pgisolated can't tell which test's database a connection asked for on thread")
        .contains("2 tests of application context")
        .contains("@Execution(ExecutionMode.SAME_THREAD)");
  }

  /** What the README says of Hibernate's pooled optimizer: its ids don't follow the test database's sequence. */
  @Test
  void hibernatesPooledSequenceIdsComeFromMemorySharedByTheContextsTests() {
    run(SpringBootTestCases.PooledSequence.class).testEvents().assertStatistics(s -> s.succeeded(2).failed(0));
    long first = Long.parseLong(Seen.VALUES.get("sequence.first.id"));
    long second = Long.parseLong(Seen.VALUES.get("sequence.second.id"));
    // Both tests start from the same template: a database's own sequence hands out the same first id.
    assertThat(second).as("the second test's first id (the first test's was %d)", first).isNotEqualTo(first);
  }

  @Test
  void jpaSecondLevelCachesAreEvictedBetweenTests() {
    run(SpringBootTestCases.SecondLevelCache.class).testEvents().assertStatistics(s -> s.succeeded(2).failed(0));
    assertThat(Seen.VALUES.get("cache.cachedInFirst")).as("the first test's note was in the second-level cache")
        .isEqualTo("true");
    assertThat(Seen.VALUES.get("cache.cachedInSecond")).as("... and no longer when the second test began")
        .isEqualTo("false");
    assertThat(Seen.VALUES.get("cache.textInSecond")).isEqualTo("first seed note");
  }
}
