package io.github.pgisolated.spring.internal;

import io.github.pgisolated.junit5.PgIsolated;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * Makes a test's application context a pgisolated one: its {@code DataSource} becomes a
 * {@link RoutingDataSource} ({@link DataSourceReplacer}).
 *
 * <p>Part of Spring's context cache key: test classes whose {@code @PgIsolated} describes the same
 * template (scripts, migrations, initializer, hash inputs) share one context, whatever else their
 * annotations say ({@code readOnly} is per test); different templates mean different contexts,
 * since the context's own database, used while it starts, is cloned from it.
 */
final class PgIsolatedContextCustomizer implements ContextCustomizer {
  private final Optional<PgIsolated> annotation;
  private final List<Object> key;

  PgIsolatedContextCustomizer(Optional<PgIsolated> annotation) {
    this.annotation = annotation;
    this.key = annotation.<List<Object>>map(a -> List.of(Arrays.asList(a.scripts()), Arrays.asList(a.flyway()),
        a.liquibase(), a.initializer(), Arrays.asList(a.hashInputs()))).orElse(List.of());
  }

  @Override
  public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration mergedConfig) {
    context.addBeanFactoryPostProcessor(new DataSourceReplacer(context, annotation));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PgIsolatedContextCustomizer other && key.equals(other.key);
  }

  @Override
  public int hashCode() {
    return Objects.hash(PgIsolatedContextCustomizer.class, key);
  }
}
