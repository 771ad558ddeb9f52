package io.github.pgisolated.spring.internal;

import io.github.pgisolated.core.DatabaseLease;
import io.github.pgisolated.core.PgDatabase;
import io.github.pgisolated.junit5.internal.TestDatabase;
import java.lang.reflect.Method;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * One Spring test method's database, from the moment something of the test first needs it (its
 * constructor's parameters, or the listener before the test) to the end of the test, when the
 * listener gives it back. It belongs to the thread that runs the test.
 *
 * <p>The {@link TestDatabase} is the one the JUnit extension injects from too, so a
 * {@code DataSource} parameter and the context's beans see the same database, and connections the
 * extension injected are closed before the database is given back.
 */
final class TestLease {
  private final Class<?> testClass;
  private final Method testMethod;
  private final TestDatabase database;
  private final String name;
  private volatile boolean started;

  TestLease(Class<?> testClass, Method testMethod, DatabaseLease lease) {
    this.testClass = testClass;
    this.testMethod = testMethod;
    this.database = new TestDatabase(lease);
    this.name = testClass.getSimpleName() + "." + testMethod.getName();
  }

  boolean isFor(Class<?> otherClass, Method otherMethod) {
    return testClass == otherClass && testMethod.equals(otherMethod);
  }

  /** Whether the listener has begun the test: before that, only its constructor ran. */
  boolean started() {
    return started;
  }

  void start() {
    started = true;
  }

  TestDatabase testDatabase() {
    return database;
  }

  DataSource dataSource() {
    return database.dataSource();
  }

  PgDatabase database() {
    return database.database();
  }

  String name() {
    return name;
  }

  /** Keeps a failed test's database for debugging, or gives it back if it can't be kept. */
  Optional<PgDatabase> keep() {
    database.markChanged();
    return database.keep(name);
  }

  DatabaseLease.Release release() {
    return database.release();
  }

  @Override
  public String toString() {
    return name + " on " + database.database().databaseName();
  }
}
