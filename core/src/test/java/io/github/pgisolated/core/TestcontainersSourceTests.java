package io.github.pgisolated.core;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;

/** {@code pgisolated.postgres=testcontainers} on a machine without a Docker engine (as CI here). */
class TestcontainersSourceTests {

  @Test
  void withoutDockerTheErrorPointsToTheEmbeddedServer() {
    assumeFalse(DockerClientFactory.instance().isDockerAvailable(), "this machine has Docker");
    PgIsolatedConfig config = PgIsolatedConfig.from(Map.of("pgisolated.postgres", "testcontainers"));
    assertThatThrownBy(() -> PgIsolatedPool.start(config))
        .isInstanceOf(UnableToStartPostgresException.class)
        .hasMessageContaining("needs a Docker engine")
        .hasMessageContaining("pgisolated.postgres=embedded");
  }
}
