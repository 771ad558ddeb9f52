package io.github.pgisolated.core.internal.template;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.core.TemplateDefinition;
import io.github.pgisolated.core.TemplateInitializer;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** A lineage names what a template is for: versions of one schema share it, other schemas don't. */
class TemplateLineageTests {

  static class Seed implements TemplateInitializer {
    @Override
    public void initialize(DataSource template) {}
  }

  static class OtherSeed implements TemplateInitializer {
    @Override
    public void initialize(DataSource template) {}
  }

  private static TemplateDefinition.Builder schema(String content) {
    ClassLoader loader = new ClassLoader(TemplateLineageTests.class.getClassLoader()) {
      @Override
      public InputStream getResourceAsStream(String name) {
        return name.equals("db/schema.sql") ? new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8))
            : super.getResourceAsStream(name);
      }
    };
    return TemplateDefinition.builder().scripts("db/schema.sql").classLoader(loader);
  }

  @Test
  void versionsOfOneSchemaShareALineageWhateverTheirContentsAndHashInputs() {
    TemplateDefinition v1 = schema("create table a (id int);").initializer(Seed.class).build();
    TemplateDefinition v2 = schema("create table a (id bigint);").initializer(Seed.class).hashInput("catalogue-v2").build();
    assertThat(TemplateHasher.hash(v1, 18)).isNotEqualTo(TemplateHasher.hash(v2, 18));
    assertThat(TemplateLineage.of(v1)).isEqualTo(TemplateLineage.of(v2)).matches("[0-9a-f]{16}");
  }

  @Test
  void otherScriptNamesInitializersOrMigrationsAreAnotherLineage() {
    String base = TemplateLineage.of(schema("x").initializer(Seed.class).build());
    assertThat(TemplateLineage.of(schema("x").initializer(OtherSeed.class).build())).isNotEqualTo(base);
    assertThat(TemplateLineage.of(schema("x").build())).isNotEqualTo(base);
    assertThat(TemplateLineage.of(schema("x").scripts("db/seed.sql").initializer(Seed.class).build())).isNotEqualTo(base);
    assertThat(TemplateLineage.of(schema("x").initializer(Seed.class).flyway("classpath:db/migration").build()))
        .isNotEqualTo(base);
    assertThat(TemplateLineage.of(schema("x").initializer(Seed.class).liquibase("db/changelog.yaml").build()))
        .isNotEqualTo(base)
        .isNotEqualTo(TemplateLineage.of(schema("x").initializer(Seed.class).flyway("db/changelog.yaml").build()));
  }
}
