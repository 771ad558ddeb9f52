package io.github.pgisolated.junit5;

import io.github.pgisolated.core.LeaseMode;
import io.github.pgisolated.core.ResetMode;
import io.github.pgisolated.core.TemplateDefinition;
import io.github.pgisolated.core.TemplateInitializer;
import java.lang.reflect.AnnotatedElement;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/** Finds the {@code @PgIsolated} that applies to a test and turns it into a template definition. */
final class Templates {
  private Templates() {}

  /**
   * The annotation nearest the test: on the method, else on its class or a superclass, else on
   * an enclosing class (for {@code @Nested} classes).
   */
  static TemplateDefinition forContext(ExtensionContext context) {
    return definition(annotation(context), context.getRequiredTestClass());
  }

  /** What happens to the test's database after it, from the same annotation; empty: the configuration's. */
  static Optional<ResetMode> resetFor(ExtensionContext context) {
    return annotation(context).reset().mode();
  }

  /** How the test uses its database, from the same annotation. */
  static LeaseMode modeFor(ExtensionContext context) {
    return annotation(context).readOnly() ? LeaseMode.READ_ONLY : LeaseMode.READ_WRITE;
  }

  private static PgIsolated annotation(ExtensionContext context) {
    Class<?> testClass = context.getRequiredTestClass();
    return find(context.getTestMethod().map(m -> (AnnotatedElement) m))
        .or(() -> findOnClassOrEnclosing(testClass))
        .orElseThrow(() -> new ExtensionConfigurationException("No @PgIsolated found for " + testClass.getName()
            + "; the pgisolated extension needs it on the test class or method to know the template."));
  }

  static TemplateDefinition definition(PgIsolated annotation, Class<?> testClass) {
    TemplateDefinition.Builder builder = TemplateDefinition.builder()
        .scripts(annotation.scripts())
        .hashInput(annotation.hashInputs())
        .classLoader(testClass.getClassLoader() != null ? testClass.getClassLoader() : ClassLoader.getSystemClassLoader());
    if (annotation.flyway().length > 0) {
      builder.flyway(annotation.flyway());
    }
    if (!annotation.liquibase().isEmpty()) {
      builder.liquibase(annotation.liquibase());
    }
    if (annotation.initializer() != TemplateInitializer.class) {
      builder.initializer(annotation.initializer());
    }
    return builder.build();
  }

  private static Optional<PgIsolated> find(Optional<AnnotatedElement> element) {
    return element.flatMap(e -> AnnotationSupport.findAnnotation(e, PgIsolated.class));
  }

  private static Optional<PgIsolated> findOnClassOrEnclosing(Class<?> testClass) {
    for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
      Optional<PgIsolated> found = AnnotationSupport.findAnnotation(c, PgIsolated.class);
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }
}
