package io.github.pgisolated.core.internal.migrations;

import io.github.pgisolated.core.TemplateDefinition;
import io.github.pgisolated.core.internal.migrations.ClasspathResources.Resource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * Feeds a template's migrations into its hash, so that changing, adding or removing a migration
 * rebuilds the template and no change reuses it.
 *
 * <p>Covered, each part length-prefixed (as the rest of the template hash is):
 * <ul>
 *   <li>Flyway: the version of flyway-core, then for each location in order, the location and
 *       every file under it (names and contents, sorted by name, recursively): from directories
 *       and jars on the classpath for {@code classpath:} locations, from the directory for
 *       {@code filesystem:} ones. SQL migrations, callbacks and the class files of Java
 *       migrations in those packages are all files there.</li>
 *   <li>Liquibase: the version of liquibase-core, the changelog's name, and every file in the
 *       changelog's directory and below (names and contents), which covers its {@code include}s
 *       and {@code includeAll}s in the usual layout. Files included from elsewhere are not
 *       covered: name them in {@code hashInputs}.</li>
 * </ul>
 * A definition without migrations feeds nothing, so its hash is what it was before migrations
 * existed.
 */
public final class MigrationHasher {
  private MigrationHasher() {}

  /**
   * Adds {@code definition}'s migrations to {@code digest}.
   *
   * @throws io.github.pgisolated.core.InvalidConfigurationException if a tool is missing or a
   *     location or changelog is not there
   */
  public static void update(MessageDigest digest, TemplateDefinition definition) {
    ClassLoader loader = definition.classLoader();
    if (!definition.flywayLocations().isEmpty()) {
      MigrationTool.FLYWAY.requireOn(MigrationTool.adapterLoader());
      put(digest, "flyway:" + MigrationTool.FLYWAY.version(MigrationTool.adapterLoader()));
      for (String location : definition.flywayLocations()) {
        put(digest, "flyway-location:" + location);
        putAll(digest, FlywayLocation.parse(location).resources(loader));
      }
    }
    if (definition.liquibaseChangelog().isPresent()) {
      MigrationTool.LIQUIBASE.requireOn(MigrationTool.adapterLoader());
      put(digest, "liquibase:" + MigrationTool.LIQUIBASE.version(MigrationTool.adapterLoader()));
      String changelog = Migrations.changelogResource(definition.liquibaseChangelog().get(), loader);
      put(digest, "liquibase-changelog:" + changelog);
      int slash = changelog.lastIndexOf('/');
      // A changelog at the root of the classpath: its directory is the whole classpath, so only it is hashed.
      putAll(digest, slash < 0 ? ClasspathResources.under(loader, changelog)
          : ClasspathResources.under(loader, changelog.substring(0, slash)));
    }
  }

  private static void putAll(MessageDigest digest, List<Resource> resources) {
    put(digest, "files:" + resources.size());
    for (Resource resource : resources) {
      put(digest, "file:" + resource.name());
      put(digest, resource.content());
    }
  }

  private static void put(MessageDigest digest, String text) {
    put(digest, text.getBytes(StandardCharsets.UTF_8));
  }

  private static void put(MessageDigest digest, byte[] bytes) {
    digest.update(new byte[] {
        (byte) (bytes.length >>> 24), (byte) (bytes.length >>> 16), (byte) (bytes.length >>> 8), (byte) bytes.length});
    digest.update(bytes);
  }
}
