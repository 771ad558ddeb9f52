package io.github.pgisolated.core.internal.server;

import io.github.pgisolated.core.PgIsolatedConfig;
import io.github.pgisolated.core.UnableToStartPostgresException;

/** Starts or connects to the server {@code pgisolated.postgres} names. */
public final class Servers {
  private Servers() {}

  public static PostgresServer start(PgIsolatedConfig config) {
    return switch (config.postgres()) {
      case EXTERNAL -> ExternalPostgresServer.connect(config);
      case EMBEDDED -> throw new UnableToStartPostgresException("embedded: not merged yet");
      case TESTCONTAINERS -> throw new UnableToStartPostgresException("testcontainers: not yet");
    };
  }
}
