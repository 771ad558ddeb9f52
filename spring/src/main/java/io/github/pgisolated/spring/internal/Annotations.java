package io.github.pgisolated.spring.internal;

import io.github.pgisolated.junit5.PgIsolated;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Finds the {@code @PgIsolated} that applies to a Spring test, by the extension's rule: the
 * nearest one, on the method, else on its class or a superclass, else on an enclosing class.
 */
final class Annotations {
  private static final Map<Class<?>, Optional<PgIsolated>> ON_CLASSES = new ConcurrentHashMap<>();

  private Annotations() {}

  /** The annotation for the class as a whole: on it, a superclass or an enclosing class. */
  static Optional<PgIsolated> onClass(Class<?> testClass) {
    return ON_CLASSES.computeIfAbsent(testClass, c -> {
      for (Class<?> type = c; type != null; type = type.getEnclosingClass()) {
        Optional<PgIsolated> found = AnnotationSupport.findAnnotation(type, PgIsolated.class);
        if (found.isPresent()) {
          return found;
        }
      }
      return Optional.empty();
    });
  }

  /** The annotation for one test method. */
  static Optional<PgIsolated> forTest(Class<?> testClass, Method method) {
    return AnnotationSupport.findAnnotation(method, PgIsolated.class).or(() -> onClass(testClass));
  }

  /** Whether any test of the class (or the class itself) asks for pgisolated. */
  static boolean anywhere(Class<?> testClass) {
    if (onClass(testClass).isPresent()) {
      return true;
    }
    for (Method method : testClass.getDeclaredMethods()) {
      if (AnnotationSupport.isAnnotated(method, PgIsolated.class)) {
        return true;
      }
    }
    return false;
  }
}
