package io.github.pgisolated.core.internal.migrations;

import io.github.pgisolated.core.InvalidConfigurationException;
import io.github.pgisolated.core.PgDatabase;
import io.github.pgisolated.core.TemplateDefinition;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a template's migrations: Flyway first, then Liquibase (a template rarely has both). The
 * template builder calls this after the scripts and before the initializer.
 */
public final class Migrations {
  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {}

  /**
   * Migrates the template database {@code template}. The tools get connections of their own
   * (not the builder's pool), and every one of them is closed before this returns.
   *
   * @throws io.github.pgisolated.core.TemplateBuildException naming the failed migration and the
   *     database's error
   * @throws InvalidConfigurationException if a tool the definition needs is not on the classpath
   */
  public static void run(TemplateDefinition definition, PgDatabase template) {
    ClassLoader loader = definition.classLoader();
    if (!definition.flywayLocations().isEmpty()) {
      // Checked before FlywayMigrator is loaded: loading it without Flyway would fail with a bare NoClassDefFoundError.
      MigrationTool.FLYWAY.requireOn(MigrationTool.adapterLoader());
      try (MigrationDataSource connections = new MigrationDataSource(template)) {
        FlywayMigrator.migrate(connections, loader, definition.flywayLocations());
        warnIfLeftOpen(connections, "Flyway", template);
      }
    }
    if (definition.liquibaseChangelog().isPresent()) {
      MigrationTool.LIQUIBASE.requireOn(MigrationTool.adapterLoader());
      String changelog = changelogResource(definition.liquibaseChangelog().get(), loader);
      try (MigrationDataSource connections = new MigrationDataSource(template)) {
        LiquibaseMigrator.update(connections, loader, changelog);
        warnIfLeftOpen(connections, "Liquibase", template);
      }
    }
  }

  private static void warnIfLeftOpen(MigrationDataSource connections, String tool, PgDatabase template) {
    int leftOpen = connections.closeAll();
    if (leftOpen > 0) {
      LOG.warn("{} left {} connection(s) open on template {}; closed them", tool, leftOpen, template.databaseName());
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
