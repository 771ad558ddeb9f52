package io.github.pgisolated.spring.internal;

import java.util.List;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;

/**
 * Registered in {@code META-INF/spring.factories}: Spring asks it about every test class it
 * builds a context for, and it customizes the contexts of classes with {@code @PgIsolated} (on the
 * class, a superclass, an enclosing class or a method).
 */
final class PgIsolatedContextCustomizerFactory implements ContextCustomizerFactory {

  @Override
  public ContextCustomizer createContextCustomizer(Class<?> testClass, List<ContextConfigurationAttributes> configAttributes) {
    return Annotations.anywhere(testClass) ? new PgIsolatedContextCustomizer(Annotations.onClass(testClass)) : null;
  }
}
