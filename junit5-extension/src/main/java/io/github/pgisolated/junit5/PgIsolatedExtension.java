package io.github.pgisolated.junit5;

import io.github.pgisolated.core.DatabaseLease;
import io.github.pgisolated.core.PgDatabase;
import io.github.pgisolated.core.PgIsolatedConfig.LeakDetection;
import io.github.pgisolated.core.PgIsolatedConfig;
import io.github.pgisolated.core.PgIsolatedException;
import io.github.pgisolated.core.PgIsolatedPool;
import io.github.pgisolated.core.ResetMode;
import io.github.pgisolated.junit5.internal.ExternalTestDatabases;
import io.github.pgisolated.junit5.internal.JvmPool;
import io.github.pgisolated.junit5.internal.TestDatabase;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.opentest4j.AssertionFailedError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The extension behind {@link PgIsolated}. Holds no state: a test method's database lives in the
 * method's store, and the pool in {@link JvmPool}.
 *
 * <p>A database is leased the first time the test's constructor, {@code @BeforeEach}, test or
 * {@code @AfterEach} method asks for one, and given back in {@link #afterEach} (which JUnit runs
 * after the {@code @AfterEach} methods). The store entry is {@link AutoCloseable}, so a test
 * whose callbacks never ran still gives its database back when its context closes.
 */
final class PgIsolatedExtension implements ParameterResolver, AfterEachCallback {
  private static final Logger LOG = LoggerFactory.getLogger(PgIsolatedExtension.class);
  private static final Namespace NAMESPACE = Namespace.create(PgIsolatedExtension.class);
  private static final Set<Class<?>> RESOLVABLE = Set.of(DataSource.class, Connection.class, PgDatabase.class);

  /** Constructors get the test method's context (JUnit 5.12+), so they can share its database. */
  @Override
  public ExtensionContextScope getTestInstantiationExtensionContextScope(ExtensionContext rootContext) {
    return ExtensionContextScope.TEST_METHOD;
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return RESOLVABLE.contains(parameter.getParameter().getType());
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    if (context.getTestMethod().isEmpty()) {
      throw new ParameterResolutionException(describe(parameter) + " cannot get a pgisolated database: a database "
          + "belongs to one test method, and this " + kindOf(parameter.getDeclaringExecutable())
          + " runs outside of one. Ask for it in the test method, a @BeforeEach/@AfterEach method or (with the default "
          + "per-method test instance lifecycle on JUnit 5.12+) the constructor; put shared setup into the template "
          + "(@PgIsolated scripts or initializer).");
    }
    TestDatabase database = testDatabase(context);
    if (type == PgDatabase.class) {
      return database.database();
    }
    if (type == DataSource.class) {
      return database.dataSource();
    }
    try {
      return database.newConnection();
    } catch (SQLException e) {
      throw new ParameterResolutionException("Could not open a connection to " + database.database().jdbcUrl()
          + " for " + describe(parameter) + ": " + e.getMessage(), e);
    }
  }

  private static TestDatabase testDatabase(ExtensionContext context) {
    try {
      // A Spring test's database belongs to its application context (pgisolated-spring), which gives it back.
      Optional<TestDatabase> external = ExternalTestDatabases.find(context);
      if (external.isPresent()) {
        return external.get();
      }
      return context.getStore(NAMESPACE).getOrComputeIfAbsent(TestDatabase.class, key -> {
        PgIsolatedPool pool = JvmPool.get(context);
        // Read per test, not from the JVM's pool: a test class may set its own.
        ResetMode reset = Templates.resetFor(context)
            .orElseGet(() -> PgIsolatedConfig.from(context::getConfigurationParameter).reset());
        return new TestDatabase(pool.lease(Templates.forContext(context), pool.config().leaseTimeout(),
            Templates.modeFor(context), reset));
      }, TestDatabase.class);
    } catch (PgIsolatedException e) {
      throw new ParameterResolutionException("No database for " + testName(context) + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    JvmPool.closeWithTheSession(context); // a pool pgisolated-spring started while Spring started a context
    TestDatabase database = context.getStore(NAMESPACE).remove(TestDatabase.class, TestDatabase.class);
    if (database == null) {
      return;
    }
    Optional<Throwable> failure = context.getExecutionException();
    if (failure.isPresent()) {
      keepForDebugging(context, database, failure.get());
      return;
    }
    DatabaseLease.Release release = database.release();
    if (release.leakedConnections() == 0) {
      return;
    }
    // Read per test, not from the JVM's pool: a test class may set its own mode.
    LeakDetection mode = PgIsolatedConfig.from(context::getConfigurationParameter).leakDetection();
    if (mode == LeakDetection.OFF) {
      return;
    }
    String message = testName(context) + " left " + release.leakedConnections() + " connection(s) open on "
        + database.database().databaseName() + " (" + release.borrowedFromDataSource()
        + " taken from the injected DataSource and not closed, " + release.openedElsewhere()
        + " opened by other means). They were closed and the database is recreated before reuse. Close connections "
        + "in the test (try-with-resources), or set pgisolated.leak-detection to "
        + (mode == LeakDetection.FAIL ? "warn to only log this." : "fail to make this fail the test, or off.");
    context.publishReportEntry("pgisolated.leaked-connections", String.valueOf(release.leakedConnections()));
    if (mode == LeakDetection.FAIL) {
      throw new AssertionFailedError(message);
    }
    LOG.warn(message);
  }

  /**
   * Keeps a failed test's database and says where it is in the failure itself: JUnit reports the
   * test's exception after every after-each callback has run, so a suppressed note added here is
   * part of the failure output.
   */
  private static void keepForDebugging(ExtensionContext context, TestDatabase database, Throwable failure) {
    database.markChanged();
    Optional<PgDatabase> kept = database.keep(testName(context));
    if (kept.isEmpty()) {
      return;
    }
    PgDatabase db = kept.get();
    // The embedded server's password is pgisolated's own, on a loopback-only server: showing it
    // makes the URL usable as it is. An external server's password is the user's: never shown.
    String password = JvmPool.get(context).serverDescription().startsWith("embedded")
        ? ", password " + db.password() : "";
    String note = "pgisolated kept this test's database for debugging: " + db.jdbcUrl() + " (user " + db.user()
        + password + "). It is dropped by the next run; set pgisolated.keep-failed-databases=0 to keep none.";
    failure.addSuppressed(new PgIsolatedException(note));
    context.publishReportEntry("pgisolated.kept-database", db.jdbcUrl());
    LOG.warn("{}: {}", testName(context), note);
  }

  private static String testName(ExtensionContext context) {
    return context.getRequiredTestClass().getSimpleName() + context.getTestMethod().map(m -> "." + m.getName()).orElse("");
  }

  private static String describe(ParameterContext parameter) {
    Executable executable = parameter.getDeclaringExecutable();
    String owner = executable instanceof Constructor<?>
        ? "the constructor of " + executable.getDeclaringClass().getSimpleName()
        : executable.getDeclaringClass().getSimpleName() + "." + executable.getName();
    return "Parameter " + (parameter.getIndex() + 1) + " (" + parameter.getParameter().getType().getSimpleName()
        + ") of " + owner;
  }

  private static String kindOf(Executable executable) {
    return executable instanceof Constructor<?>
        ? "constructor (test instance lifecycle PER_CLASS, or JUnit before 5.12)"
        : "method (@BeforeAll, @AfterAll or similar)";
  }
}
