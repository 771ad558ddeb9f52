package io.github.pgisolated.core.internal.engine;

import io.github.pgisolated.core.PgIsolatedConfig;
import io.github.pgisolated.core.UnableToStartPostgresException;
import io.github.pgisolated.core.internal.embedded.EmbeddedPostgres;
import io.github.pgisolated.core.internal.embedded.EmbeddedSettings;
import io.github.pgisolated.core.internal.server.ExternalPostgresServer;
import io.github.pgisolated.core.internal.server.PostgresServer;
import io.github.pgisolated.core.internal.server.TestcontainersPostgresServer;

/** Starts or connects to the server {@code pgisolated.postgres} names. */
public final class Servers {
  private Servers() {}

  public static PostgresServer start(PgIsolatedConfig config) {
    return switch (config.postgres()) {
      case EXTERNAL -> ExternalPostgresServer.connect(config);
      case EMBEDDED -> EmbeddedPostgres.start(embeddedSettings(config));
      case TESTCONTAINERS -> startTestcontainers(config);
    };
  }

  /** The embedded server's settings from the {@code pgisolated.embedded.*} keys. */
  public static EmbeddedSettings embeddedSettings(PgIsolatedConfig config) {
    return EmbeddedSettings.defaults()
        .withVersion(config.embeddedVersion())
        .withBaseDirectory(config.embeddedDirectory().orElse(null))
        .withDataDirectory(config.embeddedDataDirectory().orElse(null))
        .withRunAs(config.embeddedRunAs())
        .withIdleShutdown(config.embeddedIdleShutdown())
        .withStartTimeout(config.embeddedStartTimeout())
        .withServerSettings(config.embeddedServerSettings());
  }

  private static PostgresServer startTestcontainers(PgIsolatedConfig config) {
    try {
      Class.forName("org.testcontainers.postgresql.PostgreSQLContainer", false, Servers.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new UnableToStartPostgresException("pgisolated.postgres=testcontainers needs Testcontainers 2.x on the "
          + "test classpath: add org.testcontainers:testcontainers-postgresql (test scope). Or use "
          + "pgisolated.postgres=embedded, the default, which needs no Docker.", e);
    }
    return TestcontainersPostgresServer.start(config);
  }
}
