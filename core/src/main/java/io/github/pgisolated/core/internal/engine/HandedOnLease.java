package io.github.pgisolated.core.internal.engine;

import io.github.pgisolated.core.PgDatabase;
import io.github.pgisolated.core.internal.coordinator.LeaseService.Disposition;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * A lease handed on to a client in another process (pgisolated-cli): the client, not this JVM,
 * says how the clone goes back ({@link #giveBack}), so it is never reset in place here; anything
 * but an explicit "unchanged" has it recreated.
 *
 * <p>Thread-safe: the give-back is decided under this object's monitor, once.
 */
final class HandedOnLease implements ClientLease {
  private final ServerSession engine;
  private final HeldClone clone;
  private final LeaseDataSource dataSource;
  private boolean released;

  HandedOnLease(ServerSession engine, HeldClone clone) {
    this.engine = engine;
    this.clone = clone;
    this.dataSource = new LeaseDataSource(clone.pool, clone.database.databaseName());
  }

  @Override
  public PgDatabase database() {
    return clone.database;
  }

  @Override
  public String templateHash() {
    return clone.hash;
  }

  @Override
  public DataSource dataSource() {
    return dataSource;
  }

  @Override
  public void markChanged() {
    // Every give-back but an explicit unchanged one recreates the clone already.
  }

  @Override
  public Optional<PgDatabase> keep(String reason) {
    return takeOver() ? engine.keep(clone, null, reason) : Optional.empty();
  }

  @Override
  public void giveBack(boolean unchanged) {
    if (takeOver()) {
      engine.leave(clone, unchanged ? Disposition.UNCHANGED : Disposition.DIRTY);
    }
  }

  @Override
  public Release release() {
    giveBack(false);
    return new Release(0, 0);
  }

  @Override
  public void close() {
    release();
  }

  private boolean takeOver() {
    synchronized (this) {
      if (released) {
        return false;
      }
      released = true;
    }
    dataSource.close();
    return true;
  }

  @Override
  public String toString() {
    return "ClientLease[" + clone.database.databaseName() + "]";
  }
}
