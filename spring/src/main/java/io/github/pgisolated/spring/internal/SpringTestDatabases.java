package io.github.pgisolated.spring.internal;

import io.github.pgisolated.junit5.internal.ExternalTestDatabases;
import io.github.pgisolated.junit5.internal.TestDatabase;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.junit.jupiter.SpringExtension;

/**
 * Gives the JUnit extension a Spring test's database (registered with {@code ServiceLoader}), so
 * that a {@code DataSource}, {@code Connection} or {@code PgDatabase} parameter of a Spring test
 * is on the same database as the application context's beans, and the test gets one database,
 * not two. Its constructor asks before Spring begins the test: the context is loaded then (as
 * Spring's own constructor injection does) and the database leased, and the listener takes it
 * over.
 */
public final class SpringTestDatabases implements ExternalTestDatabases.Provider {
  // Plain Java: this class is loaded (by ServiceLoader) in any JUnit run that has pgisolated-spring, with Spring or not.
  private static final boolean SPRING_TEST = isPresent("org.springframework.test.context.junit.jupiter.SpringExtension");
  private static final Map<Class<?>, Boolean> SPRING_TESTS = new ConcurrentHashMap<>();

  @Override
  public Optional<TestDatabase> databaseFor(ExtensionContext context) {
    if (!SPRING_TEST || context.getTestMethod().isEmpty()) {
      return Optional.empty();
    }
    Class<?> testClass = context.getRequiredTestClass();
    if (!SPRING_TESTS.computeIfAbsent(testClass, SpringTestDatabases::runsWithSpring)) {
      return Optional.empty();
    }
    ApplicationContext application = SpringExtension.getApplicationContext(context);
    RoutingDataSource routing = application.getBeanProvider(RoutingDataSource.class).getIfAvailable();
    if (routing == null) {
      return Optional.empty();
    }
    return Optional.of(routing.testOnThisThread(testClass, context.getRequiredTestMethod()).testDatabase());
  }

  private static boolean isPresent(String className) {
    try {
      Class.forName(className, false, SpringTestDatabases.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** Whether SpringExtension runs the class: on it, a superclass, or an enclosing class ({@code @Nested}). */
  private static boolean runsWithSpring(Class<?> testClass) {
    for (Class<?> type = testClass; type != null; type = type.getEnclosingClass()) {
      boolean spring = AnnotationSupport.findRepeatableAnnotations(type, ExtendWith.class).stream()
          .anyMatch(extendWith -> java.util.Arrays.asList(extendWith.value()).contains(SpringExtension.class));
      if (spring) {
        return true;
      }
    }
    return false;
  }
}
