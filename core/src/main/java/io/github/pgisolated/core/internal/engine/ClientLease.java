package io.github.pgisolated.core.internal.engine;

import io.github.pgisolated.core.DatabaseLease;

/**
 * A lease handed on to a client in another process (pgisolated-cli's IntegreSQL API), which says
 * itself how it gives the database back: IntegreSQL's "unlock" (unchanged, ready again at once)
 * or "recreate". Obtained from {@link PoolEngine#leaseBuilt}.
 *
 * <p>Thread-safe; only the first give-back (or {@link #close()}) counts.
 */
public interface ClientLease extends DatabaseLease {

  /**
   * Gives the database back without checking it: {@code unchanged} puts it back in the pool as it
   * is (the client promises it changed nothing), otherwise it is recreated from the template.
   */
  void giveBack(boolean unchanged);
}
