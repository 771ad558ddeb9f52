package io.github.pgisolated.core.internal.engine;

import io.github.pgisolated.core.PgIsolatedConfig;
import io.github.pgisolated.core.PgIsolatedPool;

/** Registered with the {@link java.util.ServiceLoader}: what {@link PgIsolatedPool#start} starts. */
public final class PoolEngineProvider implements PgIsolatedPool.Provider {
  @Override
  public PgIsolatedPool start(PgIsolatedConfig config) {
    return PoolEngine.start(config);
  }
}
