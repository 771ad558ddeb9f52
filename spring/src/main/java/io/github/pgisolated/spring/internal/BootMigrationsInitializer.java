package io.github.pgisolated.spring.internal;

import io.github.pgisolated.core.TemplateBuildException;
import io.github.pgisolated.core.TemplateInitializer;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The template initializer of Spring tests whose context runs migrations on start: runs Spring
 * Boot's migrations ({@link BootMigrations}), then the {@code @PgIsolated} initializer if there is
 * one.
 *
 * <p>pgisolated creates initializers from their class, so this one can't be handed its
 * migrations: the {@link RoutingDataSource} that leases the database names them for the thread
 * that leases ({@link #building}), and pgisolated builds a template on the thread that first
 * needs it. Another JVM that needs the same template waits for it and never runs this.
 */
public final class BootMigrationsInitializer implements TemplateInitializer {
  private static final Logger LOG = LoggerFactory.getLogger(BootMigrationsInitializer.class);
  private static final ThreadLocal<TemplateRecipe> BUILDING = new ThreadLocal<>();
  private static final AtomicInteger RUNS = new AtomicInteger();

  /** Names the recipe for templates this thread builds until the returned scope closes. */
  static Scope building(TemplateRecipe recipe) {
    TemplateRecipe previous = BUILDING.get();
    BUILDING.set(recipe);
    return () -> {
      if (previous == null) {
        BUILDING.remove();
      } else {
        BUILDING.set(previous);
      }
    };
  }

  /** How many templates this JVM migrated with Spring Boot's settings. */
  static int runsInThisJvm() {
    return RUNS.get();
  }

  @Override
  public void initialize(DataSource template) throws Exception {
    TemplateRecipe recipe = BUILDING.get();
    if (recipe == null) {
      throw new TemplateBuildException("pgisolated-spring was asked to build a template with Spring Boot's migrations on "
          + "a thread that did not lease from a Spring test's application context (thread "
          + Thread.currentThread().getName() + "), so it can't tell which application's settings to use. This is a bug "
          + "in pgisolated-spring: please report it with this stack trace.");
    }
    long start = System.nanoTime();
    recipe.boot().migrate(template);
    RUNS.incrementAndGet();
    LOG.info("Migrated the template with {} in {} ms", recipe.boot().describe(), (System.nanoTime() - start) / 1_000_000);
    if (recipe.userInitializer().isPresent()) {
      instantiate(recipe.userInitializer().get()).initialize(template);
    }
  }

  private static TemplateInitializer instantiate(Class<? extends TemplateInitializer> type) {
    try {
      Constructor<? extends TemplateInitializer> constructor = type.getDeclaredConstructor();
      constructor.setAccessible(true);
      return constructor.newInstance();
    } catch (NoSuchMethodException e) {
      throw new TemplateBuildException("Template initializer " + type.getName()
          + " has no no-argument constructor; add one (it may be private).", e);
    } catch (InvocationTargetException e) {
      throw new TemplateBuildException("Template initializer " + type.getName() + " threw in its constructor: "
          + e.getCause(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new TemplateBuildException("Template initializer " + type.getName() + " could not be created: " + e, e);
    }
  }

  /** Restores what the thread had before. */
  interface Scope extends AutoCloseable {
    @Override
    void close();
  }
}
