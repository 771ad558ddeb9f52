package io.github.pgisolated.core.internal.migrations;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.core.internal.migrations.ClasspathResources.Resource;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClasspathResourcesTests {
  private static final Map<String, String> FILES = Map.of(
      "db/migration/V1__one.sql", "create table one (id int);",
      "db/migration/V2__two.sql", "create table two (id int);",
      "db/migration/nested/deeper/R__view.sql", "create or replace view v as select 1;",
      "db/migration-other/V9__elsewhere.sql", "not under db/migration",
      "db/seed.sql", "not under db/migration either");

  @Test
  void listsEveryFileUnderADirectoryRecursivelySortedByName(@TempDir Path dir) throws Exception {
    try (URLClassLoader loader = Classpaths.loader(Classpaths.directory(dir, FILES))) {
      assertThat(describe(ClasspathResources.under(loader, "db/migration"))).containsExactly(
          "db/migration/V1__one.sql=create table one (id int);",
          "db/migration/V2__two.sql=create table two (id int);",
          "db/migration/nested/deeper/R__view.sql=create or replace view v as select 1;");
    }
  }

  @Test
  void listsTheSameFilesFromAJarAsFromADirectory(@TempDir Path dir) throws Exception {
    Path jar = Classpaths.jar(dir.resolve("migrations.jar"), FILES);
    try (URLClassLoader fromJar = Classpaths.loader(jar);
        URLClassLoader fromDirectory = Classpaths.loader(Classpaths.directory(dir.resolve("classes"), FILES))) {
      List<String> inJar = describe(ClasspathResources.under(fromJar, "/db/migration/"));
      assertThat(inJar).hasSize(3).isEqualTo(describe(ClasspathResources.under(fromDirectory, "db/migration")));
    }
  }

  @Test
  void aNameInTwoClasspathEntriesIsListedOncePerEntryInClasspathOrder(@TempDir Path dir) throws Exception {
    Path first = Classpaths.directory(dir.resolve("first"), Map.of("m/V1__a.sql", "first"));
    Path second = Classpaths.jar(dir.resolve("second.jar"), Map.of("m/V1__a.sql", "second", "m/V0__z.sql", "zero"));
    try (URLClassLoader loader = Classpaths.loader(first, second)) {
      assertThat(describe(ClasspathResources.under(loader, "m")))
          .containsExactly("m/V0__z.sql=zero", "m/V1__a.sql=first", "m/V1__a.sql=second");
    }
  }

  @Test
  void listsASingleResourceItself(@TempDir Path dir) throws Exception {
    try (URLClassLoader loader = Classpaths.loader(Classpaths.directory(dir, FILES))) {
      assertThat(describe(ClasspathResources.under(loader, "db/seed.sql"))).containsExactly("db/seed.sql=not under db/migration either");
    }
  }

  @Test
  void listsNothingForAPathThatIsNotOnTheClasspath(@TempDir Path dir) throws Exception {
    try (URLClassLoader loader = Classpaths.loader(Classpaths.directory(dir, FILES))) {
      assertThat(ClasspathResources.under(loader, "db/nowhere")).isEmpty();
    }
  }

  private static List<String> describe(List<Resource> resources) {
    return resources.stream().map(r -> r.name() + "=" + new String(r.content(), StandardCharsets.UTF_8)).toList();
  }
}
