package io.github.pgisolated.core.internal.migrations;

import io.github.pgisolated.core.InvalidConfigurationException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Properties;

/**
 * A migration tool pgisolated can build templates with, and what a user adds to have it. The
 * tools are optional dependencies of pgisolated: their presence is checked with
 * {@code Class.forName(name, false, loader)} before the class that imports them is loaded.
 */
public enum MigrationTool {
  FLYWAY("Flyway", "flyway", "META-INF/maven/org.flywaydb/flyway-core/pom.properties", "version",
      List.of(
          new Artifact("org.flywaydb", "flyway-core", "org.flywaydb.core.Flyway"),
          // Flyway 10+ keeps PostgreSQL support in a module of its own.
          new Artifact("org.flywaydb", "flyway-database-postgresql",
              "org.flywaydb.database.postgresql.PostgreSQLDatabaseType"))),
  LIQUIBASE("Liquibase", "liquibase", "liquibase.build.properties", "build.version",
      List.of(new Artifact("org.liquibase", "liquibase-core", "liquibase.command.CommandScope")));

  /** A Maven artifact and a class that proves it is on the classpath. */
  record Artifact(String groupId, String artifactId, String probeClass) {
    String coordinates() {
      return groupId + ":" + artifactId;
    }

    String mavenSnippet() {
      return """
            <dependency>
              <groupId>%s</groupId>
              <artifactId>%s</artifactId>
              <scope>test</scope>
            </dependency>""".formatted(groupId, artifactId);
    }
  }

  private final String displayName;
  private final String attribute;
  private final String versionResource;
  private final String versionKey;
  private final List<Artifact> artifacts;

  MigrationTool(String displayName, String attribute, String versionResource, String versionKey,
      List<Artifact> artifacts) {
    this.displayName = displayName;
    this.attribute = attribute;
    this.versionResource = versionResource;
    this.versionKey = versionKey;
    this.artifacts = artifacts;
  }

  /** The class loader pgisolated's adapters are linked by: the tool must be visible there. */
  static ClassLoader adapterLoader() {
    ClassLoader loader = MigrationTool.class.getClassLoader();
    return loader != null ? loader : ClassLoader.getSystemClassLoader();
  }

  /**
   * Fails with what to add to the build unless every artifact of this tool is visible from
   * {@code loader}.
   *
   * @throws InvalidConfigurationException naming the missing artifacts, with a Maven snippet
   */
  public void requireOn(ClassLoader loader) {
    List<Artifact> missing = artifacts.stream().filter(a -> !isLoadable(a.probeClass(), loader)).toList();
    if (missing.isEmpty()) {
      return;
    }
    StringBuilder message = new StringBuilder("The template asks for ").append(displayName)
        .append(" migrations (@PgIsolated(").append(attribute).append(" = ...)), but ")
        .append(missing.stream().map(Artifact::coordinates).reduce((a, b) -> a + " and " + b).orElseThrow())
        .append(missing.size() == 1 ? " is" : " are").append(" not on the test classpath. pgisolated does not bring ")
        .append(displayName).append(" itself; add it to your test dependencies (any recent version):\n");
    for (Artifact artifact : missing) {
      message.append(artifact.mavenSnippet()).append('\n');
    }
    message.append("(Gradle: testImplementation(\"").append(missing.get(0).coordinates()).append(":<version>\"))");
    throw new InvalidConfigurationException(message.toString());
  }

  /** The tool's version as its jar records it, or {@code "unknown"}; part of the template hash. */
  String version(ClassLoader loader) {
    try (InputStream in = loader.getResourceAsStream(versionResource)) {
      if (in == null) {
        return "unknown";
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty(versionKey, "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  String displayName() {
    return displayName;
  }

  private static boolean isLoadable(String className, ClassLoader loader) {
    try {
      Class.forName(className, false, loader);
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
