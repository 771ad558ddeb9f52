package io.github.pgisolated.core.internal.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pgisolated.core.InvalidConfigurationException;
import io.github.pgisolated.core.TemplateDefinition;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationHasherTests {
  private static final Map<String, String> MIGRATIONS = Map.of(
      "db/migration/V1__create_note.sql", "create table note (id serial primary key, text text);",
      "db/migration/V2__seed_note.sql", "insert into note (text) values ('hello');");
  private static final UnaryOperator<TemplateDefinition.Builder> FLYWAY = b -> b.flyway("classpath:db/migration");

  @Test
  void hashIsStableWhenNothingChanges(@TempDir Path dir) throws Exception {
    Classpaths.directory(dir, MIGRATIONS);
    assertThat(hash(dir, FLYWAY)).isEqualTo(hash(dir, FLYWAY));
  }

  @Test
  void hashChangesWhenAMigrationsContentsChange(@TempDir Path dir) throws Exception {
    Classpaths.directory(dir, MIGRATIONS);
    String before = hash(dir, FLYWAY);
    Files.writeString(dir.resolve("db/migration/V2__seed_note.sql"), "insert into note (text) values ('hello!');");
    assertThat(hash(dir, FLYWAY)).isNotEqualTo(before);
  }

  @Test
  void hashChangesWhenAMigrationIsAddedRenamedOrRemoved(@TempDir Path dir) throws Exception {
    Classpaths.directory(dir, MIGRATIONS);
    String original = hash(dir, FLYWAY);

    Path added = Files.writeString(dir.resolve("db/migration/V3__more.sql"), "alter table note add column pinned boolean;");
    String withAdded = hash(dir, FLYWAY);
    assertThat(withAdded).isNotEqualTo(original);

    Files.move(added, dir.resolve("db/migration/V4__more.sql"));
    String renamed = hash(dir, FLYWAY);
    assertThat(renamed).isNotEqualTo(withAdded).isNotEqualTo(original);

    Files.delete(dir.resolve("db/migration/V4__more.sql"));
    assertThat(hash(dir, FLYWAY)).isEqualTo(original);
  }

  @Test
  void hashCoversEveryFileUnderTheLocationSuchAsJavaMigrationClassesInSubdirectories(@TempDir Path dir) throws Exception {
    Classpaths.directory(dir, MIGRATIONS);
    String before = hash(dir, FLYWAY);
    Path javaMigration = Classpaths.directory(dir, Map.of("db/migration/java/V3__Backfill.class", "bytecode v1"))
        .resolve("db/migration/java/V3__Backfill.class");
    String withClass = hash(dir, FLYWAY);
    Files.writeString(javaMigration, "bytecode v2");
    assertThat(withClass).isNotEqualTo(before).isNotEqualTo(hash(dir, FLYWAY));
  }

  @Test
  void hashIgnoresFilesOutsideTheLocations(@TempDir Path dir) throws Exception {
    Classpaths.directory(dir, MIGRATIONS);
    String before = hash(dir, FLYWAY);
    Classpaths.directory(dir, Map.of("db/other/V1__x.sql", "select 1;", "db/migration-old/V1__y.sql", "select 2;"));
    assertThat(hash(dir, FLYWAY)).isEqualTo(before);
  }

  @Test
  void aJarAndADirectoryWithTheSameMigrationsHashTheSame(@TempDir Path dir) throws Exception {
    Path classes = Classpaths.directory(dir.resolve("classes"), MIGRATIONS);
    Path jar = Classpaths.jar(dir.resolve("migrations.jar"), MIGRATIONS);
    assertThat(hash(jar, FLYWAY)).isEqualTo(hash(classes, FLYWAY));
    Path changed = Classpaths.jar(dir.resolve("changed.jar"),
        Map.of("db/migration/V1__create_note.sql", "create table note (id int);",
            "db/migration/V2__seed_note.sql", MIGRATIONS.get("db/migration/V2__seed_note.sql")));
    assertThat(hash(changed, FLYWAY)).isNotEqualTo(hash(classes, FLYWAY));
  }

  @Test
  void aLocationWithoutPrefixIsOnTheClasspathButHashesApartFromTheSameWithPrefix(@TempDir Path dir) throws Exception {
    Classpaths.directory(dir, MIGRATIONS);
    // Same files, but the location is part of the hash too: the two are different definitions.
    assertThat(hash(dir, b -> b.flyway("db/migration"))).isNotEqualTo(hash(dir, FLYWAY));
    assertThat(hash(dir, b -> b.flyway("db/migration"))).isEqualTo(hash(dir, b -> b.flyway("db/migration")));
  }

  @Test
  void filesystemLocationsAreHashedFromTheirDirectory(@TempDir Path dir) throws Exception {
    Path migrations = Classpaths.directory(dir.resolve("sql"), Map.of("V1__a.sql", "create table a (id int);"));
    UnaryOperator<TemplateDefinition.Builder> filesystem = b -> b.flyway("filesystem:" + migrations);
    String before = hash(dir, filesystem);
    assertThat(hash(dir, filesystem)).isEqualTo(before);
    Files.writeString(migrations.resolve("V2__b.sql"), "create table b (id int);");
    assertThat(hash(dir, filesystem)).isNotEqualTo(before);
  }

  @Test
  void aLocationWithWildcardsHashesEverythingBelowItsFixedPart(@TempDir Path dir) throws Exception {
    Classpaths.directory(dir, Map.of("db/tenant-a/migration/V1__a.sql", "a", "db/tenant-b/migration/V1__b.sql", "b"));
    UnaryOperator<TemplateDefinition.Builder> wildcard = b -> b.flyway("classpath:db/*/migration");
    String before = hash(dir, wildcard);
    Files.writeString(dir.resolve("db/tenant-b/migration/V1__b.sql"), "b, changed");
    assertThat(hash(dir, wildcard)).isNotEqualTo(before);
  }

  @Test
  void liquibaseHashCoversTheChangelogAndEveryFileInItsDirectoryAndBelow(@TempDir Path dir) throws Exception {
    Classpaths.directory(dir, Map.of(
        "db/changelog/master.yaml", "databaseChangeLog:\n  - includeAll:\n      path: changes/\n      relativeToChangelogFile: true\n",
        "db/changelog/changes/001.sql", "--liquibase formatted sql\n--changeset me:1\ncreate table a (id int);\n",
        "db/unrelated.sql", "select 1;"));
    UnaryOperator<TemplateDefinition.Builder> liquibase = b -> b.liquibase("db/changelog/master.yaml");
    String before = hash(dir, liquibase);
    assertThat(hash(dir, b -> b.liquibase("classpath:/db/changelog/master.yaml"))).as("the same changelog").isEqualTo(before);

    Files.writeString(dir.resolve("db/unrelated.sql"), "select 2;");
    assertThat(hash(dir, liquibase)).as("a file outside the changelog's directory").isEqualTo(before);

    Files.writeString(dir.resolve("db/changelog/changes/002.sql"), "--liquibase formatted sql\n--changeset me:2\ncreate table b (id int);\n");
    String added = hash(dir, liquibase);
    assertThat(added).as("a change added to the included directory").isNotEqualTo(before);

    Files.writeString(dir.resolve("db/changelog/changes/001.sql"), "--liquibase formatted sql\n--changeset me:1\ncreate table a (id bigint);\n");
    assertThat(hash(dir, liquibase)).as("an included change edited").isNotEqualTo(added).isNotEqualTo(before);
  }

  @Test
  void aDefinitionWithoutMigrationsAddsNothingToTheHash(@TempDir Path dir) throws Exception {
    Classpaths.directory(dir, MIGRATIONS);
    try (URLClassLoader loader = Classpaths.loader(dir)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      MigrationHasher.update(digest, TemplateDefinition.builder().scripts("db/migration/V1__create_note.sql").classLoader(loader).build());
      assertThat(digest.digest()).isEqualTo(MessageDigest.getInstance("SHA-256").digest());
    }
  }

  @Test
  void aLocationThatMatchesNothingSaysWhereToPutTheMigrations(@TempDir Path dir) throws Exception {
    Classpaths.directory(dir, MIGRATIONS);
    assertThatThrownBy(() -> hash(dir, b -> b.flyway("classpath:db/migrations")))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("Flyway location 'classpath:db/migrations' matches nothing on the test classpath")
        .hasMessageContaining("src/test/resources/db/migrations");
  }

  @Test
  void aMissingChangelogIsReportedWithItsName(@TempDir Path dir) throws Exception {
    Classpaths.directory(dir, MIGRATIONS);
    assertThatThrownBy(() -> hash(dir, b -> b.liquibase("db/changelog/missing.xml")))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("Liquibase changelog 'db/changelog/missing.xml' is not on the test classpath");
  }

  @Test
  void locationsPgisolatedCannotSeeAreRefused(@TempDir Path dir) {
    assertThatThrownBy(() -> hash(dir, b -> b.flyway("s3:my-bucket/migrations")))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("Flyway location 's3:my-bucket/migrations' is not supported")
        .hasMessageContaining("classpath: and filesystem:");
    assertThatThrownBy(() -> hash(dir, b -> b.flyway("classpath:")))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("is the whole classpath");
  }

  private static String hash(Path classpathEntry, UnaryOperator<TemplateDefinition.Builder> migrations) throws Exception {
    try (URLClassLoader loader = Classpaths.loader(classpathEntry)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      MigrationHasher.update(digest, migrations.apply(TemplateDefinition.builder().classLoader(loader)).build());
      return HexFormat.of().formatHex(digest.digest());
    }
  }
}
