package io.github.pgisolated.core.internal.engine;

import com.zaxxer.hikari.HikariDataSource;
import io.github.pgisolated.core.DatabaseLease;
import io.github.pgisolated.core.LeaseMode;
import io.github.pgisolated.core.PgDatabase;
import io.github.pgisolated.core.internal.coordinator.LeaseService.Disposition;
import io.github.pgisolated.core.internal.coordinator.LeaseService.Lease;
import io.github.pgisolated.core.internal.coordinator.LeaseService;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lease on one clone, as the test sees it. Gives the clone back exactly once.
 *
 * <p>Its {@link Source} (which coordinator it came from, and that coordinator's lease) changes
 * when the lease is re-claimed after a takeover; {@link #rebind} and the give-back are
 * synchronized, so a lease given back during a re-claim is passed on to the new coordinator.
 */
final class PooledLease implements ClientLease {
  private static final Logger LOG = LoggerFactory.getLogger(PooledLease.class);
  /** How long sessions a test closed may take to leave pg_stat_activity before they count as leaked. */
  private static final long SESSION_EXIT_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  /** The coordinator a lease is held from, and its lease. */
  record Source(LeaseService service, Lease lease) {}

  private final PoolEngine engine;
  private final PgDatabase database;
  private final LeaseMode mode;
  private Source source;
  private boolean changed;
  private boolean released;
  private HikariDataSource dataSource;

  PooledLease(PoolEngine engine, LeaseService service, Lease lease, PgDatabase database, LeaseMode mode) {
    this.engine = engine;
    this.mode = mode;
    this.source = new Source(service, lease);
    this.database = database;
  }

  @Override
  public PgDatabase database() {
    return database;
  }

  @Override
  public synchronized String templateHash() {
    return source.lease().templateHash();
  }

  synchronized Source source() {
    return source;
  }

  /** After a takeover: the new coordinator's lease. False when the test already gave it back. */
  synchronized boolean rebind(LeaseService service, Lease lease) {
    if (released) {
      return false;
    }
    source = new Source(service, lease);
    return true;
  }

  @Override
  public synchronized DataSource dataSource() {
    if (released) {
      throw new IllegalStateException("The lease on " + database.databaseName() + " was already given back");
    }
    if (dataSource == null) {
      dataSource = engine.openDataSource(database.databaseName());
    }
    return dataSource;
  }

  @Override
  public synchronized void markChanged() {
    changed = true;
  }

  @Override
  public Optional<PgDatabase> keep(String reason) {
    HikariDataSource closing;
    synchronized (this) {
      if (released) {
        return Optional.empty();
      }
      released = true;
      closing = dataSource;
    }
    if (closing != null) {
      // The database is renamed next, which needs it free of sessions: close them now.
      closing.close();
    }
    Optional<String> kept = engine.keep(this, reason);
    if (kept.isEmpty()) {
      engine.giveBack(this);
    }
    return kept.map(name -> new PgDatabase(database.host(), database.port(), name, database.user(), database.password()));
  }

  @Override
  public Release release() {
    HikariDataSource closing;
    boolean unchangedIfTidy;
    synchronized (this) {
      if (released) {
        return new Release(0, 0);
      }
      released = true;
      closing = dataSource;
      unchangedIfTidy = mode == LeaseMode.READ_ONLY && !changed;
    }
    int borrowed = 0;
    int elsewhere = 0;
    try {
      borrowed = closing == null ? 0 : closing.getHikariPoolMXBean().getActiveConnections();
      elsewhere = countForeignSessions();
    } catch (SQLException | RuntimeException e) {
      LOG.warn("Could not check {} for connections left open", database.databaseName(), e);
    }
    // A read-only lease left tidy goes back as it is; anything else is recreated.
    boolean unchanged = unchangedIfTidy && borrowed == 0 && elsewhere == 0;
    // HikariCP's close waits some 30 ms on its executors: not on the test's time. The clone
    // goes back only once its pool is closed.
    engine.closeInBackground(() -> {
      try {
        if (closing != null) {
          closing.close();
        }
      } finally {
        engine.giveBack(this, unchanged && engine.undoReadOnly(database.databaseName())
            ? Disposition.UNCHANGED : Disposition.DIRTY);
      }
    });
    return new Release(borrowed, elsewhere);
  }

  @Override
  public void giveBack(boolean unchanged) {
    HikariDataSource closing;
    synchronized (this) {
      if (released) {
        return;
      }
      released = true;
      closing = dataSource;
    }
    engine.closeInBackground(() -> {
      try {
        if (closing != null) {
          closing.close();
        }
      } finally {
        engine.giveBack(this, unchanged ? Disposition.UNCHANGED : Disposition.DIRTY);
      }
    });
  }

  private int countForeignSessions() throws SQLException {
    long deadline = System.nanoTime() + SESSION_EXIT_GRACE_NANOS;
    int sessions = engine.admin().foreignSessions(database.databaseName());
    // A backend leaves pg_stat_activity a moment after its client closes: poll briefly before
    // calling a session leaked. A tidy test pays one query.
    while (sessions > 0 && System.nanoTime() - deadline < 0) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      sessions = engine.admin().foreignSessions(database.databaseName());
    }
    return sessions;
  }

  @Override
  public void close() {
    release();
  }

  @Override
  public String toString() {
    return "DatabaseLease[" + database.databaseName() + "]";
  }
}
