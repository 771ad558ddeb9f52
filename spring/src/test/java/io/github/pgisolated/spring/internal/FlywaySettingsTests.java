package io.github.pgisolated.spring.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.mock.env.MockEnvironment;

class FlywaySettingsTests {

  private static FlywaySettings read(MockEnvironment environment, String... names) {
    ConfigurationPropertySources.attach(environment);
    return FlywaySettings.read(Binder.get(environment), new TreeSet<>(Set.of(names)));
  }

  @Test
  void springBootsNamesBecomeFlywaysConfigurationKeys() {
    MockEnvironment environment = new MockEnvironment()
        .withProperty("spring.flyway.locations", "classpath:db/main, classpath:db/{vendor}")
        .withProperty("spring.flyway.baseline-on-migrate", "true")
        .withProperty("spring.flyway.table", "history")
        .withProperty("spring.flyway.placeholders.tenant", "acme")
        .withProperty("spring.flyway.init-sqls[0]", "set search_path to app")
        .withProperty("spring.flyway.init-sqls[1]", "set timezone to 'UTC'")
        .withProperty("spring.flyway.connect-retries-interval", "2m")
        .withProperty("spring.flyway.url", "jdbc:postgresql://prod/db")
        .withProperty("spring.flyway.user", "admin");
    FlywaySettings settings = read(environment, "locations", "baseline-on-migrate", "table", "placeholders", "init-sqls",
        "connect-retries-interval", "url", "user");
    assertThat(settings.configuration())
        .containsEntry("flyway.locations", "classpath:db/main,classpath:db/postgresql")
        .containsEntry("flyway.baselineOnMigrate", "true")
        .containsEntry("flyway.table", "history")
        .containsEntry("flyway.placeholders.tenant", "acme")
        .containsEntry("flyway.initSql", "set search_path to app\nset timezone to 'UTC'")
        .containsEntry("flyway.connectRetriesInterval", "120")
        .doesNotContainKeys("flyway.url", "flyway.user");
    assertThat(settings.locations()).containsExactly("classpath:db/main", "classpath:db/postgresql");
  }

  @Test
  void withoutSettingsTheLocationIsSpringBootsDefault() {
    FlywaySettings settings = read(new MockEnvironment());
    assertThat(settings.configuration()).containsOnlyKeys("flyway.locations");
    assertThat(settings.locations()).containsExactly("classpath:db/migration");
  }
}
