package io.github.pgisolated.spring.internal;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.Environment;

/**
 * The migrations Spring Boot would run when the application context starts: its Flyway, its
 * Liquibase, or both, configured by the application's own {@code spring.flyway.*} and
 * {@code spring.liquibase.*} settings. They are run once into the template (by
 * {@link BootMigrationsInitializer}); every clone has them, and Boot's own run on start finds
 * nothing left to do.
 *
 * <p>Whether Boot would run them is read from the context itself: whether its auto-configuration
 * defined a Flyway or a {@code SpringLiquibase} bean ({@link DataSourceReplacer} looks), which
 * already accounts for {@code spring.flyway.enabled}, the libraries on the classpath and the test
 * slice's auto-configurations.
 */
final class BootMigrations {
  static final BootMigrations NONE = new BootMigrations(null, null, ClassLoader.getSystemClassLoader());

  // Typed Object so that this class loads without Flyway or Liquibase on the classpath.
  private final Object flyway;
  private final Object liquibase;
  private final ClassLoader loader;
  private volatile String hashInput;

  private BootMigrations(Object flyway, Object liquibase, ClassLoader loader) {
    this.flyway = flyway;
    this.liquibase = liquibase;
    this.loader = loader;
  }

  static BootMigrations of(Environment environment, boolean flyway, boolean liquibase, ClassLoader loader) {
    if (!flyway && !liquibase) {
      return NONE;
    }
    Binder binder = Binder.get(environment);
    return new BootMigrations(flyway ? FlywaySettings.read(binder, childNames(environment, "spring.flyway")) : null,
        liquibase ? LiquibaseSettings.read(binder) : null, loader);
  }

  /** The names directly below {@code prefix} that the environment sets, in their dashed form. */
  private static Set<String> childNames(Environment environment, String prefix) {
    ConfigurationPropertyName root = ConfigurationPropertyName.of(prefix);
    Set<String> names = new TreeSet<>();
    for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
      if (source instanceof IterableConfigurationPropertySource iterable) {
        iterable.filter(root::isAncestorOf).forEach(name ->
            names.add(name.getElement(root.getNumberOfElements(), ConfigurationPropertyName.Form.DASHED)));
      }
    }
    return names;
  }

  boolean isEmpty() {
    return flyway == null && liquibase == null;
  }

  /** One hash input for all of it: a digest of the tools' versions, settings and files. */
  String hashInput() {
    String input = hashInput;
    if (input == null) {
      MessageDigest digest = MigrationFiles.sha256();
      MigrationFiles.put(digest, "pgisolated-spring-boot-migrations:1");
      if (flyway != null) {
        ((FlywaySettings) flyway).feed(digest, loader);
      }
      if (liquibase != null) {
        ((LiquibaseSettings) liquibase).feed(digest, loader);
      }
      input = "spring-boot-migrations " + HexFormat.of().formatHex(digest.digest(), 0, 8);
      hashInput = input;
    }
    return input;
  }

  /** Flyway first, then Liquibase, as Spring Boot orders them on start. */
  void migrate(DataSource template) {
    if (flyway != null) {
      ((FlywaySettings) flyway).migrate(template, loader);
    }
    if (liquibase != null) {
      ((LiquibaseSettings) liquibase).migrate(template, loader);
    }
  }

  String describe() {
    List<String> parts = new ArrayList<>();
    if (flyway != null) {
      parts.add(((FlywaySettings) flyway).describe());
    }
    if (liquibase != null) {
      parts.add(((LiquibaseSettings) liquibase).describe());
    }
    return parts.isEmpty() ? "no Spring Boot migrations" : String.join(" and ", parts);
  }

  /** For tests: the Flyway configuration the template is migrated with, or null. */
  Object flywaySettings() {
    return flyway;
  }
}
