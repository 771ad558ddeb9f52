package io.github.pgisolated.spring.internal;

import io.github.pgisolated.core.TemplateBuildException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;

/**
 * The application's {@code spring.flyway.*} settings as Flyway configuration ({@code flyway.*}
 * keys): what Spring Boot's Flyway would run on start, run once into the template instead. The
 * one class that uses Flyway; loaded only when Spring Boot configured Flyway (so it is on the
 * classpath).
 *
 * <p>Boot's property names are Flyway's in kebab case ({@code baseline-on-migrate} is
 * {@code baselineOnMigrate}); the exceptions are mapped here. {@code url}, {@code user} and
 * {@code password} (a separate database for Flyway) don't apply: the template is what is migrated.
 * Flyway rejects a key it doesn't know, so a setting this mapping gets wrong fails loudly.
 */
final class FlywaySettings {
  private static final String PREFIX = "spring.flyway";
  private static final Set<String> NOT_FOR_THE_TEMPLATE = Set.of("enabled", "url", "user", "password",
      "driver-class-name", "oracle", "sqlserver", "check-location");
  private static final Set<String> LISTS = Set.of("locations", "schemas", "sql-migration-suffixes",
      "ignore-migration-patterns", "loggers", "error-overrides", "cherry-pick");

  private final SortedMap<String, String> configuration;
  private final List<String> locations;

  private FlywaySettings(SortedMap<String, String> configuration, List<String> locations) {
    this.configuration = configuration;
    this.locations = locations;
  }

  static FlywaySettings read(Binder binder, Set<String> names) {
    SortedMap<String, String> configuration = new TreeMap<>();
    for (String name : names) {
      if (NOT_FOR_THE_TEMPLATE.contains(name)) {
        continue;
      }
      String property = PREFIX + "." + name;
      switch (name) {
        case "placeholders", "jdbc-properties" -> binder.bind(property, Bindable.mapOf(String.class, String.class))
            .ifBound(map -> map.forEach((k, v) -> configuration.put("flyway." + camel(name) + "." + k, v)));
        case "init-sqls" -> binder.bind(property, Bindable.listOf(String.class))
            .ifBound(sqls -> configuration.put("flyway.initSql", String.join("\n", sqls)));
        case "connect-retries-interval" -> binder.bind(property, Duration.class)
            .ifBound(d -> configuration.put("flyway.connectRetriesInterval", String.valueOf(d.toSeconds())));
        case "postgresql" -> binder.bind(property + ".transactional-lock", String.class)
            .ifBound(v -> configuration.put("flyway.postgresql.transactional.lock", v));
        default -> {
          if (LISTS.contains(name)) {
            binder.bind(property, Bindable.listOf(String.class))
                .ifBound(list -> configuration.put("flyway." + camel(name), String.join(",", list)));
          } else {
            binder.bind(property, String.class).ifBound(v -> configuration.put("flyway." + camel(name), v));
          }
        }
      }
    }
    // Spring Boot's default, and its {vendor} placeholder, resolved for the only vendor there is here.
    String given = configuration.getOrDefault("flyway.locations", "classpath:db/migration");
    List<String> locations = new ArrayList<>();
    for (String location : given.split(",")) {
      if (!location.isBlank()) {
        locations.add(location.strip().replace("{vendor}", "postgresql"));
      }
    }
    configuration.put("flyway.locations", String.join(",", locations));
    return new FlywaySettings(configuration, List.copyOf(locations));
  }

  /** {@code baseline-on-migrate} to {@code baselineOnMigrate}. */
  static String camel(String dashed) {
    StringBuilder out = new StringBuilder();
    boolean upper = false;
    for (char c : dashed.toCharArray()) {
      if (c == '-') {
        upper = true;
      } else {
        out.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return out.toString();
  }

  Map<String, String> configuration() {
    return configuration;
  }

  List<String> locations() {
    return locations;
  }

  /** Flyway's version, the settings and every file under the locations. */
  void feed(MessageDigest digest, ClassLoader loader) {
    MigrationFiles.put(digest, "flyway:" + MigrationFiles.version(Flyway.class.getClassLoader(), "org.flywaydb", "flyway-core"));
    configuration.forEach((k, v) -> MigrationFiles.put(digest, k + "=" + v));
    for (String location : locations) {
      MigrationFiles.put(digest, "location:" + location);
      MigrationFiles.putAll(digest, loader, location);
    }
  }

  /** Runs {@code migrate} on the template, as Spring Boot would have on start. */
  void migrate(DataSource template, ClassLoader loader) {
    try {
      MigrateResult result = Flyway.configure(loader).configuration(configuration).dataSource(template).load().migrate();
      if (!result.success) {
        throw new TemplateBuildException(headline() + ": Flyway reported failure without an exception (" + result.warnings
            + ").\nFix the migrations; the next run builds the template again.");
      }
    } catch (FlywayException e) {
      throw new TemplateBuildException(headline() + ":\n" + String.valueOf(e.getMessage()).strip()
          + "\nFix the migration; the next run builds the template again.", e);
    }
  }

  private String headline() {
    return "Spring Boot's Flyway (spring.flyway.*, locations " + locations + ") could not migrate the template";
  }

  String describe() {
    return "Spring Boot's Flyway " + locations;
  }
}
