package io.github.pgisolated.spring.internal;

import io.github.pgisolated.core.DatabaseLease;
import io.github.pgisolated.core.PgDatabase;
import io.github.pgisolated.core.PgIsolatedPool;
import io.github.pgisolated.junit5.PgIsolated;
import io.github.pgisolated.junit5.internal.JvmPool;
import io.github.pgisolated.spring.PgIsolatedDataSource;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextRefreshedEvent;

/**
 * The application context's {@code DataSource}: sends each connection to the database of the test
 * that asks for it (zonky's trick, per thread so that test methods can run in parallel on one
 * cached context). See {@link PgIsolatedDataSource} for the routing rules users rely on.
 *
 * <p>State: the test bound to each thread ({@link #bound}), every test begun and not yet ended
 * ({@link #active}), and the context's own database for connections outside of any test
 * ({@link #contextLease}), leased when first needed and given back once the context has started,
 * when a test begins and when the context closes, so that a cached context holds no database
 * while its tests run.
 */
final class RoutingDataSource implements PgIsolatedDataSource, DisposableBean, ApplicationListener<ContextRefreshedEvent> {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RoutingDataSource.class);

  private final String contextName;
  private final Optional<PgIsolated> contextAnnotation;
  private final Supplier<BootMigrations> boot;
  private final ClassLoader loader;
  private final ThreadLocal<TestLease> bound = new ThreadLocal<>();
  private final Set<TestLease> active = ConcurrentHashMap.newKeySet();
  private final Map<Optional<PgIsolated>, TemplateRecipe> recipes = new ConcurrentHashMap<>();
  private DatabaseLease contextLease;
  private boolean closed;

  RoutingDataSource(String contextName, Optional<PgIsolated> contextAnnotation, Supplier<BootMigrations> boot,
      ClassLoader loader) {
    this.contextName = contextName;
    this.contextAnnotation = contextAnnotation;
    this.boot = boot;
    this.loader = loader;
  }

  // --- routing

  @Override
  public Connection getConnection() throws SQLException {
    return target().getConnection();
  }

  /** The credentials are pgisolated's own: a test's database accepts no others. */
  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return getConnection();
  }

  @Override
  public PgDatabase currentDatabase() {
    TestLease test = bound.get();
    if (test != null) {
      return test.database();
    }
    List<TestLease> running = List.copyOf(active);
    return running.size() == 1 ? running.get(0).database() : contextLease().database();
  }

  private DataSource target() throws SQLException {
    TestLease test = bound.get();
    if (test != null) {
      return test.dataSource();
    }
    List<TestLease> running = List.copyOf(active);
    if (running.size() == 1) {
      return running.get(0).dataSource();
    }
    if (running.isEmpty()) {
      return contextLease().dataSource();
    }
    throw new SQLException("pgisolated can't tell which test's database a connection asked for on thread "
        + Thread.currentThread().getName() + " is for: that thread runs no test, and " + running.size()
        + " tests of application context " + contextName + " run in parallel now " + running + ". Work that a test "
        + "hands to another thread (a web server's with a random port, @Async, an executor) finds its test's database "
        + "only while that test is the only one running on the context. Call the application on the test's thread "
        + "(MockMvc instead of a real HTTP client), or run this class's tests one at a time "
        + "(@Execution(ExecutionMode.SAME_THREAD) on the class).", "08003");
  }

  private synchronized DatabaseLease contextLease() {
    if (closed) {
      throw new IllegalStateException("Application context " + contextName + " is closed: its pgisolated DataSource "
          + "gives no more connections.");
    }
    if (contextLease == null) {
      TemplateRecipe recipe = recipe(contextAnnotation);
      contextLease = lease(recipe);
      LOG.debug("Application context {} uses {} outside of tests", contextName, contextLease.database().databaseName());
    }
    return contextLease;
  }

  private synchronized void releaseContextLease() {
    if (contextLease != null) {
      DatabaseLease releasing = contextLease;
      contextLease = null;
      releasing.release();
    }
  }

  /** The context has started: its own database is no longer needed (and is leased again if it is). */
  @Override
  public void onApplicationEvent(ContextRefreshedEvent event) {
    releaseContextLease();
  }

  // --- tests

  /**
   * The database of the test running on this thread, leased now if the test has none yet (its
   * constructor asks first, before the listener begins the test). A lease left on the thread by
   * another test (whose constructor failed) is given back first.
   */
  TestLease testOnThisThread(Class<?> testClass, Method testMethod) {
    TestLease test = bound.get();
    if (test != null && test.isFor(testClass, testMethod)) {
      return test;
    }
    if (test != null) {
      endTest().ifPresent(TestLease::release);
    }
    TemplateRecipe recipe = recipe(Annotations.forTest(testClass, testMethod));
    TestLease created = new TestLease(testClass, testMethod, lease(recipe));
    bound.set(created);
    active.add(created);
    return created;
  }

  /** Called by the listener before the test (and its {@code @BeforeEach} methods and transaction). */
  TestLease beginTest(Class<?> testClass, Method testMethod) {
    TestLease current = bound.get();
    if (current != null && current.started()) {
      // Its listener never ended it (a failure in between): it is not this test's.
      endTest().ifPresent(TestLease::release);
    }
    TestLease test = testOnThisThread(testClass, testMethod);
    test.start();
    releaseContextLease();
    return test;
  }

  /** Unbinds this thread's test; the listener gives its database back (or keeps it). */
  Optional<TestLease> endTest() {
    TestLease test = bound.get();
    bound.remove();
    if (test != null) {
      active.remove(test);
    }
    return Optional.ofNullable(test);
  }

  /** How many tests of this context run now. */
  int running() {
    return active.size();
  }

  private TemplateRecipe recipe(Optional<PgIsolated> annotation) {
    return recipes.computeIfAbsent(annotation, a -> new TemplateRecipe(a, boot.get(), loader));
  }

  private static DatabaseLease lease(TemplateRecipe recipe) {
    PgIsolatedPool pool = pool();
    BootMigrationsInitializer.Scope scope = BootMigrationsInitializer.building(recipe);
    try {
      return pool.lease(recipe.definition(), pool.config().leaseTimeout(), recipe.mode(),
          recipe.reset().orElseGet(() -> pool.config().reset()));
    } finally {
      scope.close();
    }
  }

  static PgIsolatedPool pool() {
    return JvmPool.get(JUnitPlatformProperties::get);
  }

  /** Gives back the context's own database and any test's still bound (the context is closing). */
  @Override
  public void destroy() {
    synchronized (this) {
      closed = true;
    }
    DatabaseLease lease;
    synchronized (this) {
      lease = contextLease;
      contextLease = null;
    }
    try {
      if (lease != null) {
        lease.release();
      }
      for (TestLease test : List.copyOf(active)) {
        active.remove(test);
        test.release();
      }
    } catch (RuntimeException e) {
      // Contexts close at JVM exit, maybe after the pool did: their databases come back with it anyway.
      LOG.debug("Could not give back the databases of application context {}", contextName, e);
    }
  }

  // --- the rest of DataSource: nothing to delegate to, since the target changes from test to test

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    throw new SQLException("pgisolated's routing DataSource wraps a different pool for every test; it is not a "
        + iface.getName());
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this);
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {
    // Nothing to log: the pools behind it log through SLF4J.
  }

  @Override
  public void setLoginTimeout(int seconds) {
    // The pools behind it use pgisolated's connection timeout.
  }

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("pgisolated's routing DataSource logs through SLF4J");
  }

  @Override
  public String toString() {
    return "PgIsolatedDataSource[" + contextName + ", " + active.size() + " test(s) running]";
  }
}
