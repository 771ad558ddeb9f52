package io.github.pgisolated.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TemplateDefinitionTests {

  @Test
  void migrationsAreDescribedAndTellDefinitionsApart() {
    TemplateDefinition flyway = TemplateDefinition.builder().scripts("db/roles.sql").flyway("classpath:db/migration").build();
    TemplateDefinition liquibase = TemplateDefinition.builder().scripts("db/roles.sql")
        .liquibase("db/changelog/db.changelog-master.yaml").build();

    assertThat(flyway.flywayLocations()).containsExactly("classpath:db/migration");
    assertThat(flyway.liquibaseChangelog()).isEmpty();
    assertThat(liquibase.liquibaseChangelog()).contains("db/changelog/db.changelog-master.yaml");
    assertThat(flyway.describe()).isEqualTo("scripts=[db/roles.sql], flyway=[classpath:db/migration]");
    assertThat(liquibase.describe()).isEqualTo("scripts=[db/roles.sql], liquibase=db/changelog/db.changelog-master.yaml");
    assertThat(flyway).isNotEqualTo(liquibase)
        .isEqualTo(TemplateDefinition.builder().scripts("db/roles.sql").flyway("classpath:db/migration").build())
        .hasSameHashCodeAs(TemplateDefinition.builder().scripts("db/roles.sql").flyway("classpath:db/migration").build());
  }

  @Test
  void aDefinitionHasNoMigrationsUnlessAsked() {
    TemplateDefinition empty = TemplateDefinition.empty();
    assertThat(empty.flywayLocations()).isEmpty();
    assertThat(empty.liquibaseChangelog()).isEmpty();
    assertThat(TemplateDefinition.builder().liquibase(null).build().liquibaseChangelog()).isEmpty();
  }

  @Test
  void blankMigrationsAreRefusedWithAnExample() {
    assertThatThrownBy(() -> TemplateDefinition.builder().flyway())
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("\"classpath:db/migration\"");
    assertThatThrownBy(() -> TemplateDefinition.builder().flyway(" "))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("A Flyway location is blank");
    assertThatThrownBy(() -> TemplateDefinition.builder().liquibase(""))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("The Liquibase changelog is blank");
  }
}
