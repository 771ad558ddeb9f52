package io.github.pgisolated.benchmark.spring.shared;

import io.github.pgisolated.benchmark.spring.suite.Workload;
import io.github.pgisolated.benchmark.spring.app.BenchApplication;
import org.springframework.boot.test.context.SpringBootTest;

/** One shared database for the whole suite, migrated by Spring Boot's Flyway when the context starts (as with Testcontainers and @ServiceConnection); the harness passes its URL. Ten classes of ten tests: the 100-test suite. */
public final class SharedDatabaseSuite {
  private SharedDatabaseSuite() {}

  @SpringBootTest(classes = BenchApplication.class)
  public static class Tests01 extends Workload {}

  @SpringBootTest(classes = BenchApplication.class)
  public static class Tests02 extends Workload {}

  @SpringBootTest(classes = BenchApplication.class)
  public static class Tests03 extends Workload {}

  @SpringBootTest(classes = BenchApplication.class)
  public static class Tests04 extends Workload {}

  @SpringBootTest(classes = BenchApplication.class)
  public static class Tests05 extends Workload {}

  @SpringBootTest(classes = BenchApplication.class)
  public static class Tests06 extends Workload {}

  @SpringBootTest(classes = BenchApplication.class)
  public static class Tests07 extends Workload {}

  @SpringBootTest(classes = BenchApplication.class)
  public static class Tests08 extends Workload {}

  @SpringBootTest(classes = BenchApplication.class)
  public static class Tests09 extends Workload {}

  @SpringBootTest(classes = BenchApplication.class)
  public static class Tests10 extends Workload {}
}
