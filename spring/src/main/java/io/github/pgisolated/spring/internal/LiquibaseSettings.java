package io.github.pgisolated.spring.internal;

import io.github.pgisolated.core.TemplateBuildException;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import javax.sql.DataSource;
import liquibase.exception.LiquibaseException;
import liquibase.integration.spring.SpringLiquibase;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.io.DefaultResourceLoader;

/**
 * The application's {@code spring.liquibase.*} settings: the changelog Spring Boot's Liquibase
 * would update on start, updated once into the template instead, with the same
 * {@link SpringLiquibase} Spring Boot uses. The one class that uses Liquibase; loaded only when
 * Spring Boot configured Liquibase.
 *
 * <p>{@code url}, {@code user} and {@code password} (a separate database for Liquibase) don't
 * apply: the template is what is updated. {@code rollback-file} and the summary settings are
 * about output, not about what the template holds, and are left out.
 */
final class LiquibaseSettings {
  private static final String PREFIX = "spring.liquibase.";

  private final String changeLog;
  private final SortedMap<String, String> settings;
  private final Map<String, String> parameters;

  private LiquibaseSettings(String changeLog, SortedMap<String, String> settings, Map<String, String> parameters) {
    this.changeLog = changeLog;
    this.settings = settings;
    this.parameters = parameters;
  }

  static LiquibaseSettings read(Binder binder) {
    String changeLog = binder.bind(PREFIX + "change-log", String.class)
        .orElse("classpath:/db/changelog/db.changelog-master.yaml");
    SortedMap<String, String> settings = new TreeMap<>();
    for (String list : List.of("contexts", "label-filter")) {
      binder.bind(PREFIX + list, Bindable.listOf(String.class)).ifBound(v -> settings.put(list, String.join(",", v)));
    }
    for (String name : List.of("default-schema", "liquibase-schema", "liquibase-tablespace", "database-change-log-table",
        "database-change-log-lock-table", "drop-first", "clear-checksums", "tag", "test-rollback-on-update")) {
      binder.bind(PREFIX + name, String.class).ifBound(v -> settings.put(name, v));
    }
    Map<String, String> parameters = new TreeMap<>(binder.bind(PREFIX + "parameters",
        Bindable.mapOf(String.class, String.class)).orElse(Map.of()));
    return new LiquibaseSettings(changeLog, settings, parameters);
  }

  String changeLog() {
    return changeLog;
  }

  /** Liquibase's version, the settings, the changelog and every file in its directory and below. */
  void feed(MessageDigest digest, ClassLoader loader) {
    MigrationFiles.put(digest, "liquibase:" + MigrationFiles.version(SpringLiquibase.class.getClassLoader(),
        "org.liquibase", "liquibase-core"));
    MigrationFiles.put(digest, "change-log:" + changeLog);
    settings.forEach((k, v) -> MigrationFiles.put(digest, k + "=" + v));
    parameters.forEach((k, v) -> MigrationFiles.put(digest, "parameter." + k + "=" + v));
    String resource = MigrationFiles.trimSlashes(changeLog.startsWith("classpath:")
        ? changeLog.substring("classpath:".length()) : changeLog);
    int slash = resource.lastIndexOf('/');
    MigrationFiles.putAll(digest, loader, slash < 0 ? resource : resource.substring(0, slash));
  }

  /** Updates the template, as Spring Boot's {@code SpringLiquibase} would have on start. */
  void migrate(DataSource template, ClassLoader loader) {
    SpringLiquibase liquibase = new SpringLiquibase();
    liquibase.setDataSource(template);
    liquibase.setResourceLoader(new DefaultResourceLoader(loader));
    liquibase.setChangeLog(changeLog);
    liquibase.setContexts(settings.get("contexts"));
    liquibase.setLabelFilter(settings.get("label-filter"));
    liquibase.setDefaultSchema(settings.get("default-schema"));
    liquibase.setLiquibaseSchema(settings.get("liquibase-schema"));
    liquibase.setLiquibaseTablespace(settings.get("liquibase-tablespace"));
    liquibase.setDatabaseChangeLogTable(settings.getOrDefault("database-change-log-table", "DATABASECHANGELOG"));
    liquibase.setDatabaseChangeLogLockTable(settings.getOrDefault("database-change-log-lock-table",
        "DATABASECHANGELOGLOCK"));
    liquibase.setDropFirst(Boolean.parseBoolean(settings.get("drop-first")));
    liquibase.setClearCheckSums(Boolean.parseBoolean(settings.get("clear-checksums")));
    liquibase.setTag(settings.get("tag"));
    liquibase.setTestRollbackOnUpdate(Boolean.parseBoolean(settings.get("test-rollback-on-update")));
    liquibase.setChangeLogParameters(parameters);
    liquibase.setShouldRun(true);
    try {
      liquibase.afterPropertiesSet();
    } catch (LiquibaseException | RuntimeException e) {
      throw new TemplateBuildException("Spring Boot's Liquibase (spring.liquibase.*, change log " + changeLog
          + ") could not update the template:\n" + String.valueOf(e.getMessage()).strip()
          + "\nFix the changelog; the next run builds the template again.", e);
    }
  }

  String describe() {
    return "Spring Boot's Liquibase " + changeLog;
  }
}
