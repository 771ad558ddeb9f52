package io.github.pgisolated.core.internal.pool;

import com.zaxxer.hikari.HikariDataSource;
import io.github.pgisolated.core.DatabaseLease;
import io.github.pgisolated.core.PgDatabase;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A lease on one clone; gives it back exactly once. */
final class PooledLease implements DatabaseLease {
  private static final Logger LOG = LoggerFactory.getLogger(PooledLease.class);
  /** How long sessions a test closed may take to leave pg_stat_activity before they count as leaked. */
  private static final long SESSION_EXIT_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  private final ClonePool pool;
  private final ClonePool.Leased leased;
  private final PgDatabase database;
  private final PoolEngine engine;
  private final AtomicBoolean released = new AtomicBoolean();
  private HikariDataSource dataSource;

  PooledLease(PoolEngine engine, ClonePool pool, ClonePool.Leased leased, PgDatabase database) {
    this.engine = engine;
    this.pool = pool;
    this.leased = leased;
    this.database = database;
  }

  @Override
  public PgDatabase database() {
    return database;
  }

  @Override
  public String templateHash() {
    return pool.hash();
  }

  @Override
  public synchronized DataSource dataSource() {
    if (released.get()) {
      throw new IllegalStateException("The lease on " + database.databaseName() + " was already given back");
    }
    if (dataSource == null) {
      dataSource = engine.openDataSource(database.databaseName());
    }
    return dataSource;
  }

  @Override
  public Release release() {
    if (!released.compareAndSet(false, true)) {
      return new Release(0, 0);
    }
    int borrowed = 0;
    int elsewhere = 0;
    HikariDataSource closing;
    synchronized (this) {
      closing = dataSource;
    }
    try {
      borrowed = closing == null ? 0 : closing.getHikariPoolMXBean().getActiveConnections();
      elsewhere = countForeignSessions();
    } catch (SQLException | RuntimeException e) {
      LOG.warn("Could not check {} for connections left open", database.databaseName(), e);
    }
    if (closing == null) {
      pool.giveBack(leased.index(), leased.generation());
    } else {
      // HikariCP's close waits some 30 ms on its executors: not on the test's time. The clone
      // goes back only once its pool is closed.
      engine.closeInBackground(() -> {
        try {
          closing.close();
        } finally {
          pool.giveBack(leased.index(), leased.generation());
        }
      });
    }
    return new Release(borrowed, elsewhere);
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
