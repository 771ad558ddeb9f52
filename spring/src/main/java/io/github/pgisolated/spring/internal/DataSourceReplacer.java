package io.github.pgisolated.spring.internal;

import io.github.pgisolated.junit5.PgIsolated;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.ApplicationContextException;
import org.springframework.util.ClassUtils;

/**
 * Puts a {@link RoutingDataSource} in place of the context's {@code DataSource} bean, before any
 * bean is created: Spring Boot's own (auto-configured from {@code spring.datasource.*}, or an
 * embedded one {@code @DataJpaTest} and {@code @JdbcTest} would put in), or the application's.
 * The replaced bean is never created, so a {@code spring.datasource.url} pointing at a database
 * that isn't there is never used, and {@code @AutoConfigureTestDatabase(replace = NONE)} is not
 * needed.
 *
 * <p>Registered by {@link PgIsolatedContextCustomizer} on the context itself, so it runs after
 * the configuration classes (and Spring Boot's test-database replacement) have registered their
 * bean definitions. It also notes whether Spring Boot defined Flyway or Liquibase beans: those
 * are the migrations it would run on start ({@link BootMigrations}).
 */
final class DataSourceReplacer implements BeanFactoryPostProcessor {
  private static final Logger LOG = LoggerFactory.getLogger(DataSourceReplacer.class);
  static final String DEFAULT_NAME = "dataSource";

  private final ConfigurableApplicationContext context;
  private final Optional<PgIsolated> annotation;

  DataSourceReplacer(ConfigurableApplicationContext context, Optional<PgIsolated> annotation) {
    this.context = context;
    this.annotation = annotation;
  }

  @Override
  public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
    if (!(beanFactory instanceof BeanDefinitionRegistry registry)) {
      throw new ApplicationContextException("pgisolated-spring needs a bean factory that can replace bean definitions; "
          + beanFactory.getClass().getName() + " can't.");
    }
    ClassLoader loader = beanFactory.getBeanClassLoader() != null ? beanFactory.getBeanClassLoader()
        : ClassUtils.getDefaultClassLoader();
    boolean flyway = defines(beanFactory, loader, "org.flywaydb.core.Flyway");
    boolean liquibase = defines(beanFactory, loader, "liquibase.integration.spring.SpringLiquibase");
    RoutingDataSource routing = new RoutingDataSource(contextName(), annotation,
        new Memo<>(() -> BootMigrations.of(context.getEnvironment(), flyway, liquibase, loader)), loader);

    String[] names = beanFactory.getBeanNamesForType(DataSource.class, true, false);
    String name = chooseReplaced(registry, names);
    boolean primary = false;
    if (name != null) {
      primary = registry.getBeanDefinition(name).isPrimary();
      registry.removeBeanDefinition(name);
      LOG.debug("Replaced DataSource bean '{}' of {} with pgisolated's routing DataSource", name, contextName());
    } else {
      name = DEFAULT_NAME;
    }
    RootBeanDefinition definition = new RootBeanDefinition(RoutingDataSource.class, () -> routing);
    definition.setPrimary(primary);
    definition.setRole(BeanDefinition.ROLE_INFRASTRUCTURE);
    registry.registerBeanDefinition(name, definition);
  }

  /** The one DataSource bean, or the primary one of several; null if there is none. */
  private String chooseReplaced(BeanDefinitionRegistry registry, String[] names) {
    if (names.length <= 1) {
      return names.length == 0 ? null : names[0];
    }
    List<String> primaries = new ArrayList<>();
    for (String candidate : names) {
      if (registry.containsBeanDefinition(candidate) && registry.getBeanDefinition(candidate).isPrimary()) {
        primaries.add(candidate);
      }
    }
    if (primaries.size() != 1) {
      throw new ApplicationContextException("pgisolated-spring found " + names.length + " DataSource beans in "
          + contextName() + " " + Arrays.toString(names) + " and " + (primaries.isEmpty() ? "none" : primaries.size())
          + " of them marked @Primary, so it can't tell which one the tests' databases should replace. Mark the "
          + "application's main DataSource @Primary (the others keep pointing where they point).");
    }
    LOG.info("pgisolated replaces the primary DataSource bean '{}' of {}; the other DataSource beans {} are left as "
        + "they are", primaries.get(0), contextName(), Arrays.toString(names));
    return primaries.get(0);
  }

  private static boolean defines(ConfigurableListableBeanFactory beanFactory, ClassLoader loader, String className) {
    if (!ClassUtils.isPresent(className, loader)) {
      return false;
    }
    return beanFactory.getBeanNamesForType(ClassUtils.resolveClassName(className, loader), true, false).length > 0;
  }

  private String contextName() {
    return context.getDisplayName();
  }

  /** Computes once, when first asked (the environment is complete by then). */
  static final class Memo<T> implements Supplier<T> {
    private final Supplier<T> compute;
    private volatile T value;

    Memo(Supplier<T> compute) {
      this.compute = compute;
    }

    @Override
    public T get() {
      T v = value;
      if (v == null) {
        synchronized (this) {
          v = value;
          if (v == null) {
            v = compute.get();
            value = v;
          }
        }
      }
      return v;
    }
  }
}
