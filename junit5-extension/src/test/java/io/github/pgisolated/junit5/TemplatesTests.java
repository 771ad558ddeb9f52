package io.github.pgisolated.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.core.TemplateDefinition;
import org.junit.jupiter.api.Test;

class TemplatesTests {

  @PgIsolated(scripts = {"db/shop.sql"}, hashInputs = {"catalogue-v2"})
  static class Annotated {}

  @PgIsolated
  static class Empty {}

  @PgIsolated(scripts = "db/roles.sql", flyway = {"classpath:db/migration", "classpath:db/testdata"},
      liquibase = "db/changelog/master.xml")
  static class Migrated {}

  @Test
  void theAnnotationBecomesATemplateDefinition() {
    TemplateDefinition definition = Templates.definition(Annotated.class.getAnnotation(PgIsolated.class), Annotated.class);
    assertThat(definition.scripts()).containsExactly("db/shop.sql");
    assertThat(definition.hashInputs()).containsExactly("catalogue-v2");
    assertThat(definition.initializer()).isEmpty();
  }

  @Test
  void migrationAttributesBecomeFlywayLocationsAndALiquibaseChangelog() {
    TemplateDefinition definition = Templates.definition(Migrated.class.getAnnotation(PgIsolated.class), Migrated.class);
    assertThat(definition.flywayLocations()).containsExactly("classpath:db/migration", "classpath:db/testdata");
    assertThat(definition.liquibaseChangelog()).contains("db/changelog/master.xml");
    assertThat(definition.describe())
        .isEqualTo("scripts=[db/roles.sql], flyway=[classpath:db/migration, classpath:db/testdata], liquibase=db/changelog/master.xml");
  }

  @Test
  void theDefaultInitializerMeansNone() {
    TemplateDefinition definition = Templates.definition(Empty.class.getAnnotation(PgIsolated.class), Empty.class);
    assertThat(definition).isEqualTo(TemplateDefinition.empty());
    assertThat(definition.describe()).isEqualTo("empty template");
    assertThat(definition.flywayLocations()).isEmpty();
    assertThat(definition.liquibaseChangelog()).isEmpty();
  }
}
