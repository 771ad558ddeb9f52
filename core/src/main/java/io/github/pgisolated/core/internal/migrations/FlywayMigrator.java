package io.github.pgisolated.core.internal.migrations;

import io.github.pgisolated.core.TemplateBuildException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one class that uses Flyway. Loaded only once {@link MigrationTool#FLYWAY} is known to be on
 * the classpath.
 */
final class FlywayMigrator {
  private static final Logger LOG = LoggerFactory.getLogger(FlywayMigrator.class);

  private FlywayMigrator() {}

  /**
   * Runs {@code migrate} on the template with the user's class loader (for classpath locations
   * and Java migrations). Clean is disabled: nothing here may ever drop what a migration made.
   * Flyway closes the connections it takes from {@code template} before it returns.
   */
  static void migrate(DataSource template, ClassLoader loader, List<String> locations) {
    try {
      Flyway flyway = Flyway.configure(loader)
          .dataSource(template)
          .locations(locations.toArray(String[]::new))
          .cleanDisabled(true)
          // Scripts may have filled the schema before Flyway runs: record that state as version 0
          // and apply every migration from V1 on. (An empty schema is not baselined at all.)
          .baselineOnMigrate(true)
          .baselineVersion("0")
          .baselineDescription("Before Flyway: the scripts of the template")
          .failOnMissingLocations(true)
          .load();
      MigrateResult result = flyway.migrate();
      LOG.debug("Flyway applied {} migration(s) from {} to the template, now at version {}", result.migrationsExecuted,
          locations, result.targetSchemaVersion);
    } catch (FlywayException e) {
      throw new TemplateBuildException(describe(locations, e), e);
    }
  }

  /** Flyway's first line names the migration in one of these forms, depending on where it failed. */
  private static final List<Pattern> FAILED_MIGRATION = List.of(
      Pattern.compile("^Migration (.+?) failed"),
      Pattern.compile("^Failed to execute script (.+)$"));
  private static final Pattern LOCATION_ON_DISK = Pattern.compile("(?m)^Location\\s*: .*\\((.+)\\)\\s*$");
  private static final Pattern LINE = Pattern.compile("(?m)^Line\\s*: (\\d+)\\s*$");

  private static String describe(List<String> locations, FlywayException e) {
    String flywayMessage = String.valueOf(e.getMessage()).strip();
    String first = flywayMessage.lines().findFirst().orElse("");
    String headline = "Flyway could not migrate the template (locations " + locations + ")";
    for (Pattern pattern : FAILED_MIGRATION) {
      Matcher m = pattern.matcher(first);
      if (m.find()) {
        headline = "Flyway migration " + m.group(1).strip() + " failed on the template (locations " + locations + ")";
        break;
      }
    }
    return headline + ":\n" + flywayMessage + failingLine(flywayMessage)
        + "\nFix the migration; the next run builds the template again.";
  }

  /**
   * The text of the line Flyway reports, when the migration is a file on disk (Flyway itself
   * only says to run it with -X to see the statement).
   */
  private static String failingLine(String flywayMessage) {
    Matcher location = LOCATION_ON_DISK.matcher(flywayMessage);
    Matcher line = LINE.matcher(flywayMessage);
    if (!location.find() || !line.find()) {
      return "";
    }
    try {
      Path file = Path.of(location.group(1));
      int number = Integer.parseInt(line.group(1));
      if (!Files.isRegularFile(file) || number < 1) {
        return "";
      }
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return number <= lines.size() ? "\n  " + number + " | " + lines.get(number - 1).strip() : "";
    } catch (IOException | RuntimeException ignored) {
      return ""; // only a convenience: Flyway's own message has what matters
    }
  }
}
