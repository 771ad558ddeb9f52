package io.github.pgisolated.spring.internal;

import io.github.pgisolated.core.DatabaseLease;
import io.github.pgisolated.core.PgDatabase;
import io.github.pgisolated.core.PgIsolatedConfig;
import io.github.pgisolated.core.PgIsolatedConfig.LeakDetection;
import io.github.pgisolated.core.PgIsolatedException;
import java.util.Optional;
import org.opentest4j.AssertionFailedError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.support.AbstractTestExecutionListener;

/**
 * Registered in {@code META-INF/spring.factories}, so it is among every Spring test's listeners:
 * before each test method of a {@code @PgIsolated} class it binds a database of the test's own to
 * the test's thread, and after the test it gives it back (or keeps it, when the test failed).
 *
 * <p>Its order, {@value #ORDER}, puts it before the listeners that touch the database: the test
 * transaction ({@code TransactionalTestExecutionListener}, 4000) and {@code @Sql} scripts (5000)
 * begin on the test's database, and end before it is given back (listeners run in reverse order
 * after the test). The application context is loaded before (dependency injection, 2000), so
 * what the context does while it starts never sees a test's database.
 */
final class PgIsolatedTestExecutionListener extends AbstractTestExecutionListener {
  private static final Logger LOG = LoggerFactory.getLogger(PgIsolatedTestExecutionListener.class);
  static final int ORDER = 3900;

  @Override
  public int getOrder() {
    return ORDER;
  }

  @Override
  public void beforeTestMethod(TestContext testContext) {
    if (Annotations.forTest(testContext.getTestClass(), testContext.getTestMethod()).isEmpty()) {
      return;
    }
    RoutingDataSource routing = routing(testContext);
    routing.beginTest(testContext.getTestClass(), testContext.getTestMethod());
    JpaCaches.warnIfSharedByParallelTests(testContext.getApplicationContext(), routing.running());
  }

  @Override
  public void afterTestMethod(TestContext testContext) {
    if (Annotations.forTest(testContext.getTestClass(), testContext.getTestMethod()).isEmpty()) {
      return;
    }
    ApplicationContext context = testContext.getApplicationContext();
    Optional<TestLease> ended = routing(testContext).endTest();
    // Entities cached from this test's database must not be found by the next test, on another.
    JpaCaches.evictAll(context);
    if (ended.isEmpty()) {
      return;
    }
    TestLease test = ended.get();
    Throwable failure = testContext.getTestException();
    if (failure != null) {
      keepForDebugging(test, failure);
      return;
    }
    DatabaseLease.Release release = test.release();
    if (release.leakedConnections() == 0) {
      return;
    }
    PgIsolatedConfig config = RoutingDataSource.pool().config();
    if (config.leakDetection() == LeakDetection.OFF) {
      return;
    }
    String message = test.name() + " left " + release.leakedConnections() + " connection(s) open on "
        + test.database().databaseName() + " (" + release.borrowedFromDataSource()
        + " taken from the application context's DataSource and not closed, " + release.openedElsewhere()
        + " opened by other means). They were closed and the database is recreated before reuse. Close connections "
        + "in the test and in the code it calls, or set pgisolated.leak-detection to "
        + (config.leakDetection() == LeakDetection.FAIL ? "warn to only log this." : "fail to make this fail the test, or off.");
    if (config.leakDetection() == LeakDetection.FAIL) {
      throw new AssertionFailedError(message);
    }
    LOG.warn(message);
  }

  private static void keepForDebugging(TestLease test, Throwable failure) {
    Optional<PgDatabase> kept = test.keep();
    if (kept.isEmpty()) {
      return;
    }
    PgDatabase db = kept.get();
    String password = RoutingDataSource.pool().serverDescription().startsWith("embedded")
        ? ", password " + db.password() : "";
    String note = "pgisolated kept this test's database for debugging: " + db.jdbcUrl() + " (user " + db.user()
        + password + "). It is dropped by the next run; set pgisolated.keep-failed-databases=0 to keep none.";
    failure.addSuppressed(new PgIsolatedException(note));
    LOG.warn("{}: {}", test.name(), note);
  }

  private static RoutingDataSource routing(TestContext testContext) {
    RoutingDataSource routing = testContext.getApplicationContext().getBeanProvider(RoutingDataSource.class)
        .getIfAvailable();
    if (routing == null) {
      throw new IllegalStateException("The application context of " + testContext.getTestClass().getName()
          + " has no pgisolated DataSource although the test has @PgIsolated: was the context built without Spring's "
          + "context customizers (a custom ContextLoader)? pgisolated-spring replaces the DataSource through a "
          + "ContextCustomizerFactory in META-INF/spring.factories.");
    }
    return routing;
  }
}
