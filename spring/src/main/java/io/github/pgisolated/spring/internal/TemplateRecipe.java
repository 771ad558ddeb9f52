package io.github.pgisolated.spring.internal;

import io.github.pgisolated.core.LeaseMode;
import io.github.pgisolated.core.ResetMode;
import io.github.pgisolated.core.TemplateDefinition;
import io.github.pgisolated.core.TemplateInitializer;
import io.github.pgisolated.junit5.PgIsolated;
import java.util.Optional;

/**
 * What a Spring test's template is made of: the {@code @PgIsolated} attributes, as for any test,
 * and the migrations Spring Boot would run on start ({@link BootMigrations}).
 *
 * <p>Without Boot migrations the definition is exactly the one the JUnit extension makes of the
 * same annotation, so Spring and plain tests with the same annotation share one template. With
 * them, a {@link BootMigrationsInitializer} runs them after the scripts and annotation
 * migrations, then the annotation's own initializer; their digest and that initializer's bytecode
 * go into the hash, since the definition names only {@link BootMigrationsInitializer}.
 *
 * @param annotation the annotation, or empty for an empty template plus the Boot migrations
 */
record TemplateRecipe(Optional<PgIsolated> annotation, BootMigrations boot, ClassLoader classLoader) {

  TemplateDefinition definition() {
    TemplateDefinition.Builder builder = TemplateDefinition.builder().classLoader(classLoader);
    Optional<Class<? extends TemplateInitializer>> userInitializer = Optional.empty();
    if (annotation.isPresent()) {
      PgIsolated a = annotation.get();
      builder.scripts(a.scripts()).hashInput(a.hashInputs());
      if (a.flyway().length > 0) {
        builder.flyway(a.flyway());
      }
      if (!a.liquibase().isEmpty()) {
        builder.liquibase(a.liquibase());
      }
      if (a.initializer() != TemplateInitializer.class) {
        userInitializer = Optional.of(a.initializer());
      }
    }
    if (boot.isEmpty()) {
      userInitializer.ifPresent(builder::initializer);
      return builder.build();
    }
    builder.initializer(BootMigrationsInitializer.class).hashInput(boot.hashInput());
    userInitializer.ifPresent(type -> builder.hashInput(MigrationFiles.classInput(type)));
    return builder.build();
  }

  /** The initializer from the annotation, run by {@link BootMigrationsInitializer} after Boot's migrations. */
  Optional<Class<? extends TemplateInitializer>> userInitializer() {
    return annotation.map(PgIsolated::initializer).filter(type -> type != TemplateInitializer.class);
  }

  /** What happens to the database after a test, from the annotation; empty: {@code pgisolated.reset}. */
  Optional<ResetMode> reset() {
    return annotation.flatMap(a -> a.reset().mode());
  }

  LeaseMode mode() {
    return annotation.map(PgIsolated::readOnly).orElse(false) ? LeaseMode.READ_ONLY : LeaseMode.READ_WRITE;
  }
}
