package io.github.pgisolated.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pgisolated.core.PgIsolatedConfig.CloneStrategy;
import io.github.pgisolated.core.PgIsolatedConfig.LeakDetection;
import io.github.pgisolated.core.PgIsolatedConfig.PostgresSource;
import io.github.pgisolated.core.internal.config.ConfigKey;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PgIsolatedConfigTests {

  @Test
  void defaultsSuitASmallAndALargeMachine() {
    PgIsolatedConfig config = PgIsolatedConfig.defaults();
    int cores = Runtime.getRuntime().availableProcessors();
    assertThat(config.postgres()).isEqualTo(PostgresSource.EMBEDDED);
    assertThat(config.poolMaxSize()).isEqualTo(Math.max(8, 4 * cores));
    assertThat(config.poolInitialSize()).isEqualTo(Math.max(2, cores));
    assertThat(config.poolParallelTasks()).isEqualTo(Math.max(2, cores));
    assertThat(config.leaseTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.cloneStrategy()).isEqualTo(CloneStrategy.AUTO);
    assertThat(config.leakDetection()).isEqualTo(LeakDetection.WARN);
    assertThat(config.embeddedVersion()).isEqualTo("18.6.0");
    assertThat(config.embeddedIdleShutdown()).isEqualTo(Duration.ofMinutes(30));
    assertThat(config.templateKeep()).isEqualTo(3);
    assertThat(config.templateMaxAge()).isEqualTo(Duration.ofDays(7));
  }

  @Test
  void templateCollectionTakesDaysAndKeepsAtLeastOneTemplatePerLineage() {
    PgIsolatedConfig config = PgIsolatedConfig.from(Map.of(
        "pgisolated.template.keep", "1",
        "pgisolated.template.max-age", "30d"));
    assertThat(config.templateKeep()).isEqualTo(1);
    assertThat(config.templateMaxAge()).isEqualTo(Duration.ofDays(30));
    assertThat(PgIsolatedConfig.from(Map.of("pgisolated.template.max-age", "0")).templateMaxAge()).isZero();
    assertThatThrownBy(() -> PgIsolatedConfig.from(Map.of("pgisolated.template.keep", "0")))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("Invalid value '0' for pgisolated.template.keep")
        .hasMessageContaining("expected a whole number from 1 to 1000")
        .hasMessageContaining("The default is 3.");
    assertThatThrownBy(() -> PgIsolatedConfig.from(Map.of("pgisolated.template.max-age", "a week")))
        .hasMessageContaining("500ms, 30s, 10m, 1h or 7d (0 to disable)");
  }

  @Test
  void readsTypedValues() {
    PgIsolatedConfig config = PgIsolatedConfig.from(Map.of(
        "pgisolated.postgres", "external",
        "pgisolated.pool.max-size", "16",
        "pgisolated.pool.initial-size", "0",
        "pgisolated.lease-timeout", "1500ms",
        "pgisolated.embedded.idle-shutdown", "0",
        "pgisolated.clone-strategy", "wal-log",
        "pgisolated.embedded.server-settings", "shared_buffers=256MB, work_mem=16MB"));
    assertThat(config.postgres()).isEqualTo(PostgresSource.EXTERNAL);
    assertThat(config.poolMaxSize()).isEqualTo(16);
    assertThat(config.poolInitialSize()).isZero();
    assertThat(config.leaseTimeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(config.embeddedIdleShutdown()).isZero();
    assertThat(config.cloneStrategy()).isEqualTo(CloneStrategy.WAL_LOG);
    assertThat(config.embeddedServerSettings()).containsEntry("shared_buffers", "256MB").containsEntry("work_mem", "16MB");
  }

  @Test
  void aBadNumberNamesTheKeyTheValueAndWhatIsAllowed() {
    assertThatThrownBy(() -> PgIsolatedConfig.from(Map.of("pgisolated.pool.max-size", "lots")))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("Invalid value 'lots' for pgisolated.pool.max-size")
        .hasMessageContaining("PGISOLATED_POOL_MAX_SIZE")
        .hasMessageContaining("expected a whole number from 1 to 10000");
  }

  @Test
  void aBadDurationSaysWhatADurationLooksLike() {
    assertThatThrownBy(() -> PgIsolatedConfig.from(Map.of("pgisolated.lease-timeout", "soon")))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("'soon' for pgisolated.lease-timeout")
        .hasMessageContaining("500ms, 30s, 10m, 1h or 7d");
    assertThatThrownBy(() -> PgIsolatedConfig.from(Map.of("pgisolated.lease-timeout", "0")))
        .hasMessageContaining("greater than zero");
  }

  @Test
  void aBadChoiceListsTheChoices() {
    assertThatThrownBy(() -> PgIsolatedConfig.from(Map.of("pgisolated.postgres", "docker")))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("one of embedded, external, testcontainers");
  }

  @Test
  void anInitialSizeAboveTheMaximumIsRejected() {
    assertThatThrownBy(() -> PgIsolatedConfig.from(Map.of("pgisolated.pool.max-size", "2", "pgisolated.pool.initial-size", "3")))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("pgisolated.pool.initial-size")
        .hasMessageContaining("at most pgisolated.pool.max-size (2)");
  }

  @Test
  void aMisspeltKeyIsReportedWithTheNearestKnownKey() {
    assertThatThrownBy(() -> PgIsolatedConfig.from(Map.of("pgisolated.pool.maxsize", "4")))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("Unknown configuration key pgisolated.pool.maxsize")
        .hasMessageContaining("Did you mean pgisolated.pool.max-size?");
  }

  @Test
  void badServerSettingsAndUrlsAreRejected() {
    assertThatThrownBy(() -> PgIsolatedConfig.from(Map.of("pgisolated.embedded.server-settings", "=oops")))
        .hasMessageContaining("comma separated PostgreSQL settings");
    assertThatThrownBy(() -> PgIsolatedConfig.from(Map.of("pgisolated.external.url", "postgres://localhost/db")))
        .hasMessageContaining("jdbc:postgresql://localhost:5432/postgres");
    assertThatThrownBy(() -> PgIsolatedConfig.from(Map.of("pgisolated.embedded.version", "latest")))
        .hasMessageContaining("a version such as 18.6.0 or a major such as 17");
  }

  @Test
  void environmentVariableNamesFollowTheKeys() {
    assertThat(ConfigKey.POOL_PARALLEL_TASKS.environmentVariable()).isEqualTo("PGISOLATED_POOL_PARALLEL_TASKS");
    assertThat(ConfigKey.byEnvironmentVariable("PGISOLATED_EMBEDDED_DATA_DIRECTORY")).contains(ConfigKey.EMBEDDED_DATA_DIRECTORY);
  }

  @Test
  void theDiskBudgetIsAShareOfTheFreeSpaceOrASize() {
    assertThat(PgIsolatedConfig.defaults().poolDiskBudget().bytesOf(1000)).isEqualTo(250);
    assertThat(PgIsolatedConfig.from(Map.of("pgisolated.pool.disk-budget", "10%")).poolDiskBudget().bytesOf(1000))
        .isEqualTo(100);
    assertThat(PgIsolatedConfig.from(Map.of("pgisolated.pool.disk-budget", "2GB")).poolDiskBudget().bytesOf(1))
        .isEqualTo(2L << 30);
    assertThat(PgIsolatedConfig.from(Map.of("pgisolated.pool.disk-budget", "500mb")).poolDiskBudget().bytes())
        .isEqualTo(500L << 20);
    for (String bad : new String[] {"0%", "120%", "lots", "0", "-1GB"}) {
      assertThatThrownBy(() -> PgIsolatedConfig.from(Map.of("pgisolated.pool.disk-budget", bad)))
          .isInstanceOf(InvalidConfigurationException.class)
          .hasMessageContaining("'" + bad + "' for pgisolated.pool.disk-budget")
          .hasMessageContaining("25%");
    }
  }

  @Test
  void resetIsAutoByDefaultAndCanBeRecreate() {
    assertThat(PgIsolatedConfig.defaults().reset()).isEqualTo(ResetMode.AUTO);
    assertThat(PgIsolatedConfig.from(Map.of("pgisolated.reset", "recreate")).reset()).isEqualTo(ResetMode.RECREATE);
    assertThatThrownBy(() -> PgIsolatedConfig.from(Map.of("pgisolated.reset", "sometimes")))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("one of auto, recreate");
  }
}
