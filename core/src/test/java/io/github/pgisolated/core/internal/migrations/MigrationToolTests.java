package io.github.pgisolated.core.internal.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pgisolated.core.InvalidConfigurationException;
import org.junit.jupiter.api.Test;

class MigrationToolTests {

  /** The test classpath with some packages taken away, as if their jars were not there. */
  private static ClassLoader hiding(String... packages) {
    return new ClassLoader(MigrationToolTests.class.getClassLoader()) {
      @Override
      protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        for (String hidden : packages) {
          if (name.startsWith(hidden)) {
            throw new ClassNotFoundException(name + " (hidden by the test)");
          }
        }
        return super.loadClass(name, resolve);
      }
    };
  }

  @Test
  void toolsOnTheClasspathPassTheCheck() {
    assertThatCode(() -> MigrationTool.FLYWAY.requireOn(MigrationToolTests.class.getClassLoader())).doesNotThrowAnyException();
    assertThatCode(() -> MigrationTool.LIQUIBASE.requireOn(MigrationToolTests.class.getClassLoader())).doesNotThrowAnyException();
  }

  @Test
  void aMissingFlywayNamesBothArtifactsToAddWithAMavenSnippet() {
    assertThatThrownBy(() -> MigrationTool.FLYWAY.requireOn(hiding("org.flywaydb.")))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("The template asks for Flyway migrations (@PgIsolated(flyway = ...))")
        .hasMessageContaining("org.flywaydb:flyway-core and org.flywaydb:flyway-database-postgresql are not on the test classpath")
        .hasMessageContaining("""
            <dependency>
              <groupId>org.flywaydb</groupId>
              <artifactId>flyway-core</artifactId>
              <scope>test</scope>
            </dependency>""")
        .hasMessageContaining("<artifactId>flyway-database-postgresql</artifactId>");
  }

  @Test
  void flywayWithoutItsPostgresqlModuleNamesOnlyThatModule() {
    assertThatThrownBy(() -> MigrationTool.FLYWAY.requireOn(hiding("org.flywaydb.database.")))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("but org.flywaydb:flyway-database-postgresql is not on the test classpath")
        .hasMessageNotContaining("<artifactId>flyway-core</artifactId>");
  }

  @Test
  void aMissingLiquibaseNamesLiquibaseCore() {
    assertThatThrownBy(() -> MigrationTool.LIQUIBASE.requireOn(hiding("liquibase.")))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("The template asks for Liquibase migrations (@PgIsolated(liquibase = ...)), but"
            + " org.liquibase:liquibase-core is not on the test classpath")
        .hasMessageContaining("<groupId>org.liquibase</groupId>");
  }

  @Test
  void theToolsVersionIsReadFromItsJar() {
    ClassLoader loader = MigrationToolTests.class.getClassLoader();
    assertThat(MigrationTool.FLYWAY.version(loader)).matches("\\d+\\.\\d+\\.\\d+.*");
    assertThat(MigrationTool.LIQUIBASE.version(loader)).matches("\\d+\\.\\d+\\.\\d+.*");
    assertThat(MigrationTool.FLYWAY.version(hiding())).isEqualTo(MigrationTool.FLYWAY.version(loader));
  }
}
