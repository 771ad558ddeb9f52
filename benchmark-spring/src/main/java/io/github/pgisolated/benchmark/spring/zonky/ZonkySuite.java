package io.github.pgisolated.benchmark.spring.zonky;

import io.github.pgisolated.benchmark.spring.suite.Workload;
import io.github.pgisolated.benchmark.spring.app.BenchApplication;
import org.springframework.boot.test.context.SpringBootTest;
import io.zonky.test.db.AutoConfigureEmbeddedDatabase;
import io.zonky.test.db.AutoConfigureEmbeddedDatabase.DatabaseProvider;
import io.zonky.test.db.AutoConfigureEmbeddedDatabase.RefreshMode;

/** zonky's embedded-database-spring-test: a fresh database after every test method, from embedded binaries (no Docker). Ten classes of ten tests: the 100-test suite. */
// ZONKY, as the issue names it: zonky 2.8 deprecates the name for EMBEDDED, the same provider.
@SuppressWarnings("deprecation")
public final class ZonkySuite {
  private ZonkySuite() {}

  @SpringBootTest(classes = BenchApplication.class)
  @AutoConfigureEmbeddedDatabase(refresh = RefreshMode.AFTER_EACH_TEST_METHOD, provider = DatabaseProvider.ZONKY)
  public static class Tests01 extends Workload {}

  @SpringBootTest(classes = BenchApplication.class)
  @AutoConfigureEmbeddedDatabase(refresh = RefreshMode.AFTER_EACH_TEST_METHOD, provider = DatabaseProvider.ZONKY)
  public static class Tests02 extends Workload {}

  @SpringBootTest(classes = BenchApplication.class)
  @AutoConfigureEmbeddedDatabase(refresh = RefreshMode.AFTER_EACH_TEST_METHOD, provider = DatabaseProvider.ZONKY)
  public static class Tests03 extends Workload {}

  @SpringBootTest(classes = BenchApplication.class)
  @AutoConfigureEmbeddedDatabase(refresh = RefreshMode.AFTER_EACH_TEST_METHOD, provider = DatabaseProvider.ZONKY)
  public static class Tests04 extends Workload {}

  @SpringBootTest(classes = BenchApplication.class)
  @AutoConfigureEmbeddedDatabase(refresh = RefreshMode.AFTER_EACH_TEST_METHOD, provider = DatabaseProvider.ZONKY)
  public static class Tests05 extends Workload {}

  @SpringBootTest(classes = BenchApplication.class)
  @AutoConfigureEmbeddedDatabase(refresh = RefreshMode.AFTER_EACH_TEST_METHOD, provider = DatabaseProvider.ZONKY)
  public static class Tests06 extends Workload {}

  @SpringBootTest(classes = BenchApplication.class)
  @AutoConfigureEmbeddedDatabase(refresh = RefreshMode.AFTER_EACH_TEST_METHOD, provider = DatabaseProvider.ZONKY)
  public static class Tests07 extends Workload {}

  @SpringBootTest(classes = BenchApplication.class)
  @AutoConfigureEmbeddedDatabase(refresh = RefreshMode.AFTER_EACH_TEST_METHOD, provider = DatabaseProvider.ZONKY)
  public static class Tests08 extends Workload {}

  @SpringBootTest(classes = BenchApplication.class)
  @AutoConfigureEmbeddedDatabase(refresh = RefreshMode.AFTER_EACH_TEST_METHOD, provider = DatabaseProvider.ZONKY)
  public static class Tests09 extends Workload {}

  @SpringBootTest(classes = BenchApplication.class)
  @AutoConfigureEmbeddedDatabase(refresh = RefreshMode.AFTER_EACH_TEST_METHOD, provider = DatabaseProvider.ZONKY)
  public static class Tests10 extends Workload {}
}
