package io.github.pgisolated.benchmark.spring.isolated;

import io.github.pgisolated.benchmark.spring.suite.Workload;
import io.github.pgisolated.benchmark.spring.app.BenchApplication;
import org.springframework.boot.test.context.SpringBootTest;
import io.github.pgisolated.junit5.PgIsolated;

/** @PgIsolated: one cached context, a database of its own for every test. Ten classes of ten tests: the 100-test suite. */
public final class PgIsolatedSuite {
  private PgIsolatedSuite() {}

  @SpringBootTest(classes = BenchApplication.class)
  @PgIsolated
  public static class Tests01 extends Workload {}

  @SpringBootTest(classes = BenchApplication.class)
  @PgIsolated
  public static class Tests02 extends Workload {}

  @SpringBootTest(classes = BenchApplication.class)
  @PgIsolated
  public static class Tests03 extends Workload {}

  @SpringBootTest(classes = BenchApplication.class)
  @PgIsolated
  public static class Tests04 extends Workload {}

  @SpringBootTest(classes = BenchApplication.class)
  @PgIsolated
  public static class Tests05 extends Workload {}

  @SpringBootTest(classes = BenchApplication.class)
  @PgIsolated
  public static class Tests06 extends Workload {}

  @SpringBootTest(classes = BenchApplication.class)
  @PgIsolated
  public static class Tests07 extends Workload {}

  @SpringBootTest(classes = BenchApplication.class)
  @PgIsolated
  public static class Tests08 extends Workload {}

  @SpringBootTest(classes = BenchApplication.class)
  @PgIsolated
  public static class Tests09 extends Workload {}

  @SpringBootTest(classes = BenchApplication.class)
  @PgIsolated
  public static class Tests10 extends Workload {}
}
