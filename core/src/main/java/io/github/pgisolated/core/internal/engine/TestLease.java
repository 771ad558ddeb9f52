package io.github.pgisolated.core.internal.engine;

import io.github.pgisolated.core.DatabaseLease;
import io.github.pgisolated.core.PgDatabase;
import io.github.pgisolated.core.PostgresServerDiedException;
import io.github.pgisolated.core.ResetMode;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One test's lease on a {@link HeldClone}. Gives the clone back exactly once: for a reset in
 * place (the clone then serves this JVM's next test), to be recreated, or kept for debugging.
 *
 * <p>Thread-safe: the give-back is decided under this object's monitor; the work it starts (a reset,
 * closing the pool) runs outside it.
 */
final class TestLease implements DatabaseLease {
  private static final Logger LOG = LoggerFactory.getLogger(TestLease.class);
  /** How long sessions a test closed may take to leave pg_stat_activity before they count as leaked. */
  private static final long SESSION_EXIT_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  private final ServerSession engine;
  private final HeldClone clone;
  /** The set the clone goes back to; null for a read-only lease, which is never reset. */
  private final WarmClones warm;
  private final ResetMode reset;
  private final LeaseDataSource dataSource;
  private boolean changed;
  private boolean released;

  /** A lease in {@link io.github.pgisolated.core.LeaseMode#READ_WRITE} when {@code warm} is set, else read-only. */
  TestLease(ServerSession engine, HeldClone clone, WarmClones warm, ResetMode reset) {
    this.engine = engine;
    this.clone = clone;
    this.warm = warm;
    this.reset = reset;
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
  public synchronized DataSource dataSource() {
    if (released) {
      throw new IllegalStateException("The lease on " + clone.database.databaseName() + " was already given back");
    }
    return dataSource;
  }

  @Override
  public synchronized void markChanged() {
    changed = true;
  }

  @Override
  public Optional<PgDatabase> keep(String reason) {
    synchronized (this) {
      if (released) {
        return Optional.empty();
      }
      released = true;
    }
    dataSource.close();
    throwIfServerDied();
    return engine.keep(clone, warm, reason);
  }

  @Override
  public Release release() {
    boolean markedChanged;
    synchronized (this) {
      if (released) {
        return new Release(0, 0);
      }
      released = true;
      markedChanged = changed;
    }
    dataSource.close();
    // Asked, not only read: a test whose connections just broke is often the first to notice,
    // and the checks below would wait out the admin pool's connection timeout on a dead server.
    engine.serverDied();
    throwIfServerDied();
    int borrowed = 0;
    int elsewhere = 0;
    try {
      borrowed = clone.activeConnections();
      elsewhere = countForeignSessions();
    } catch (SQLException | RuntimeException e) {
      if (engine.serverDied(ServerSession.isConnectionLoss(e))) {
        throwIfServerDied();
      }
      LOG.warn("Could not check {} for connections left open", clone.database.databaseName(), e);
      borrowed = Math.max(borrowed, 1);
    }
    boolean leaked = borrowed + elsewhere > 0;
    if (warm == null) {
      engine.leaveReadOnly(clone, !markedChanged && !leaked);
    } else {
      String because = markedChanged ? "failed test" : leaked ? "connections left open"
          : reset == ResetMode.RECREATE ? "reset=recreate" : null;
      warm.finish(clone, because);
    }
    return new Release(borrowed, elsewhere);
  }

  /**
   * A lease on a server that died is over: nothing of it goes back to a pool (the next
   * coordinator finds the clone on the restarted server and recreates it), and the test fails with
   * why, after its own errors.
   */
  private void throwIfServerDied() {
    String death = engine.death();
    if (death != null) {
      clone.closeSessions();
      throw new PostgresServerDiedException(death + ", while this test held " + clone.database.databaseName()
          + ". The test's work on it is lost; the next lease gets a database on a new server.");
    }
  }

  /**
   * Sessions on the clone that are not pgisolated's own. A backend leaves pg_stat_activity a moment
   * after its client closes: poll briefly before calling one leaked. A tidy test pays one query.
   */
  private int countForeignSessions() throws SQLException {
    long deadline = System.nanoTime() + SESSION_EXIT_GRACE_NANOS;
    int sessions = engine.admin().foreignSessions(clone.database.databaseName());
    while (sessions > 0 && System.nanoTime() - deadline < 0) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      sessions = engine.admin().foreignSessions(clone.database.databaseName());
    }
    return sessions;
  }

  @Override
  public void close() {
    release();
  }

  @Override
  public String toString() {
    return "DatabaseLease[" + clone.database.databaseName() + "]";
  }
}
