package io.github.pgisolated.core.internal.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EmbeddedSettingsTests {

  @Test
  void defaultsAreTheBundledVersionDefaultDirectoriesAndHalfAnHourIdle() {
    EmbeddedSettings defaults = EmbeddedSettings.defaults();

    assertThat(defaults.version()).isEqualTo("18.6.0");
    assertThat(defaults.majorVersion()).isEqualTo(18);
    assertThat(defaults.isMajorOnly()).isFalse();
    assertThat(defaults.baseDirectory()).isNull();
    assertThat(defaults.dataDirectory()).isNull();
    assertThat(defaults.runAs()).isEqualTo("nobody");
    assertThat(defaults.idleShutdown()).isEqualTo(Duration.ofMinutes(30));
    assertThat(defaults.startTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(defaults.serverSettings()).isEmpty();
  }

  @Test
  void withMethodsChangeOneFieldAndKeepTheOthers() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("work_mem", "8MB");
    EmbeddedSettings changed = EmbeddedSettings.defaults()
        .withVersion("17")
        .withBaseDirectory(Path.of("/var/tmp/x/../base"))
        .withDataDirectory(Path.of("/dev/shm/d"))
        .withRunAs("cloudsdk")
        .withIdleShutdown(Duration.ZERO)
        .withStartTimeout(Duration.ofSeconds(5))
        .withServerSettings(settings);
    settings.put("later", "ignored");

    assertThat(changed.version()).isEqualTo("17");
    assertThat(changed.isMajorOnly()).isTrue();
    assertThat(changed.majorVersion()).isEqualTo(17);
    assertThat(changed.baseDirectory()).isEqualTo(Path.of("/var/tmp/base"));
    assertThat(changed.dataDirectory()).isEqualTo(Path.of("/dev/shm/d"));
    assertThat(changed.runAs()).isEqualTo("cloudsdk");
    assertThat(changed.idleShutdown()).isZero();
    assertThat(changed.startTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(changed.serverSettings()).containsExactly(Map.entry("work_mem", "8MB"));
  }

  @Test
  void badValuesAreRejectedNamingTheKey() {
    assertThatThrownBy(() -> EmbeddedSettings.defaults().withVersion("latest"))
        .hasMessageContaining("pgisolated.embedded.version").hasMessageContaining("latest");
    assertThatThrownBy(() -> EmbeddedSettings.defaults().withIdleShutdown(Duration.ofSeconds(-1)))
        .hasMessageContaining("pgisolated.embedded.idle-shutdown");
    assertThatThrownBy(() -> EmbeddedSettings.defaults().withStartTimeout(Duration.ZERO))
        .hasMessageContaining("pgisolated.embedded.start-timeout");
    assertThatThrownBy(() -> EmbeddedSettings.defaults()
        .withServerSettings(Map.of("bad name; drop", "x")))
        .hasMessageContaining("pgisolated.embedded.server-settings");
  }
}
