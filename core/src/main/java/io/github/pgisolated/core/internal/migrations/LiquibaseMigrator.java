package io.github.pgisolated.core.internal.migrations;

import io.github.pgisolated.core.TemplateBuildException;
import java.io.OutputStream;
import java.sql.Connection;
import java.util.Map;
import javax.sql.DataSource;
import liquibase.Scope;
import liquibase.command.CommandScope;
import liquibase.command.core.UpdateCommandStep;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.exception.MigrationFailedException;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.ui.LoggerUIService;

/**
 * The one class that uses Liquibase. Loaded only once {@link MigrationTool#LIQUIBASE} is known to
 * be on the classpath. Uses the {@link CommandScope} API of Liquibase 4.x and 5.x, naming
 * arguments and settings whose declaring classes differ between releases by their keys.
 */
final class LiquibaseMigrator {
  /**
   * Liquibase keeps JVM-wide singletons (service locator, lock and history service factories);
   * template builds are rare, so updates in one JVM run one at a time rather than rely on them.
   */
  private static final Object ONE_AT_A_TIME = new Object();

  private LiquibaseMigrator() {}

  /**
   * Runs {@code update} of {@code changelog} on the template, reading the changelog and its
   * includes from the user's class loader. The connection it uses is closed before it returns.
   */
  static void update(DataSource template, ClassLoader loader, String changelog) {
    synchronized (ONE_AT_A_TIME) {
      ClassLoaderResourceAccessor resources = new ClassLoaderResourceAccessor(loader);
      try (Connection connection = template.getConnection()) {
        Database database = DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(connection));
        try {
          Map<String, Object> scope = Map.of(
              Scope.Attr.resourceAccessor.name(), resources,
              Scope.Attr.classLoader.name(), loader,
              // Liquibase's messages go to its log rather than straight to the console.
              Scope.Attr.ui.name(), new LoggerUIService(),
              // No analytics calls from a test build (they would only time out on a closed CI network).
              // (liquibase.analytics.enabled, by name: the setting only exists from Liquibase 4.30 on.)
              "liquibase.analytics.enabled", false);
          Scope.child(scope, () -> new CommandScope(UpdateCommandStep.COMMAND_NAME)
              // By name: the class declaring the "database" argument moved between 4.x releases.
              .addArgumentValue("database", database)
              .addArgumentValue(UpdateCommandStep.CHANGELOG_FILE_ARG, changelog)
              // The update summary goes to Liquibase's log, not to standard output as well.
              .setOutput(OutputStream.nullOutputStream())
              .execute());
        } finally {
          database.close();
        }
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        throw new TemplateBuildException(describe(changelog, e), e);
      } finally {
        try {
          resources.close();
        } catch (Exception e) {
          // Only cached jar handles; nothing of the template depends on them.
        }
      }
    }
  }

  private static String describe(String changelog, Exception e) {
    // The useful part is the MigrationFailedException deep in the chain: it names the changeset
    // (file::id::author) and carries the database's error.
    Throwable reason = e;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MigrationFailedException) {
        reason = t;
        break;
      }
    }
    return "Liquibase could not update the template from changelog " + changelog + ":\n"
        + String.valueOf(reason.getMessage()).strip()
        + "\nFix the changeset; the next run builds the template again.";
  }
}
