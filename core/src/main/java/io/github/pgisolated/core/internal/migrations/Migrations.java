package io.github.pgisolated.core.internal.migrations;

import io.github.pgisolated.core.InvalidConfigurationException;
import io.github.pgisolated.core.TemplateDefinition;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * Runs a template's migrations: Flyway first, then Liquibase (a template rarely has both). The
 * template builder calls this after the scripts and before the initializer.
 */
public final class Migrations {
  private Migrations() {}

  /**
   * Migrates the template {@code template} points at. Everything the tools open on it is closed
   * before this returns.
   *
   * @throws io.github.pgisolated.core.TemplateBuildException naming the failed migration and the
   *     database's error
   * @throws InvalidConfigurationException if a tool the definition needs is not on the classpath
   */
  public static void run(TemplateDefinition definition, DataSource template) {
    ClassLoader loader = definition.classLoader();
    if (!definition.flywayLocations().isEmpty()) {
      // Checked before FlywayMigrator is loaded: loading it without Flyway would fail with a bare NoClassDefFoundError.
      MigrationTool.FLYWAY.requireOn(MigrationTool.adapterLoader());
      FlywayMigrator.migrate(template, loader, definition.flywayLocations());
    }
    if (definition.liquibaseChangelog().isPresent()) {
      MigrationTool.LIQUIBASE.requireOn(MigrationTool.adapterLoader());
      LiquibaseMigrator.update(template, loader, changelogResource(definition.liquibaseChangelog().get(), loader));
    }
  }

  /**
   * The classpath resource name of a changelog ({@code classpath:} and a leading {@code /}
   * removed), checked to exist.
   */
  static String changelogResource(String changelog, ClassLoader loader) {
    String name = changelog.toLowerCase(Locale.ROOT).startsWith("classpath:") ? changelog.substring("classpath:".length())
        : changelog;
    name = ClasspathResources.trimSlashes(name);
    if (name.isEmpty() || loader.getResource(name) == null) {
      throw new InvalidConfigurationException("Liquibase changelog '" + changelog + "' is not on the test classpath. Put"
          + " it in src/main/resources/" + name + " or src/test/resources/" + name
          + ", or fix the name in @PgIsolated(liquibase = ...).");
    }
    return name;
  }
}
