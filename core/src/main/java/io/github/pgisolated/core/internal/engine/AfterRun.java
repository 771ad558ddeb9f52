package io.github.pgisolated.core.internal.engine;

import io.github.pgisolated.core.PgIsolatedConfig;
import java.nio.file.Path;
import java.util.Map;

/**
 * What happens when the last coordinator of a run closes and its pools are short of what the run
 * needed: found through the {@link java.util.ServiceLoader}, so that the engine does not depend
 * on the refill that implements it ({@code internal.refill}).
 */
public interface AfterRun {

  /**
   * @param coordinatorDirectory the coordinator's directory (for the refill's plan and log)
   * @param shortfalls per template hash, the clones the run needed at its peak, most recently used first
   */
  void ended(PgIsolatedConfig config, Path coordinatorDirectory, Map<String, Integer> shortfalls);
}
