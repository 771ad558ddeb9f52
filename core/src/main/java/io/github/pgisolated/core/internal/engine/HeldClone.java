package io.github.pgisolated.core.internal.engine;

import com.zaxxer.hikari.HikariDataSource;
import io.github.pgisolated.core.PgDatabase;
import io.github.pgisolated.core.internal.coordinator.LeaseService;
import io.github.pgisolated.core.internal.coordinator.LeaseService.Lease;
import io.github.pgisolated.core.internal.reset.Baseline;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A clone this JVM holds from the coordinator, with its connection pool, for one test after
 * another while resets in place keep it in the template's state.
 *
 * <pre>
 *   (leased from the coordinator) --&gt; IN_USE --test gives it back--&gt; RESETTING --reset in place--&gt; IDLE
 *                                        ^                               |                          |
 *                                        +--------- next test -----------+--------------------------+
 *   IN_USE or RESETTING --anything a reset can't undo--&gt; GONE (given back to be recreated)
 *   IDLE --unused for a while, or the JVM's pool closes--&gt; GONE (given back as it is: it is clean)
 * </pre>
 *
 * <p>{@link #state} and {@link #baseline} are guarded by the lock of the {@link WarmClones} that
 * owns the clone. Its {@link Source} (which coordinator it is held from) changes when it is
 * re-claimed after a takeover; {@link #rebind} and {@link #markGone} are synchronized on the clone,
 * so a clone given back during a re-claim is passed on to the new coordinator.
 */
final class HeldClone {
  enum State { IN_USE, RESETTING, IDLE, GONE }

  /** The coordinator a clone is held from, and its lease. */
  record Source(LeaseService service, Lease lease) {}

  final String hash;
  final PgDatabase database;
  final HikariDataSource pool;
  State state = State.IN_USE;
  Baseline baseline;
  /** Tests that used it, for the log. */
  int uses;
  /** When it last became IDLE ({@link System#nanoTime()}). */
  long idleSince;
  /** pgisolated's own session on the clone for its resets, opened by the first (see {@link io.github.pgisolated.core.internal.reset.InPlaceReset#reset}). */
  Connection resetter;
  private Source source;
  private boolean gone;

  HeldClone(String hash, PgDatabase database, HikariDataSource pool, LeaseService service, Lease lease) {
    this.hash = hash;
    this.database = database;
    this.pool = pool;
    this.source = new Source(service, lease);
  }

  synchronized Source source() {
    return source;
  }

  /** After a takeover: the new coordinator's lease. False when the clone was already given back. */
  synchronized boolean rebind(LeaseService service, Lease lease) {
    if (gone) {
      return false;
    }
    source = new Source(service, lease);
    return true;
  }

  /** The clone leaves this JVM; false if it already did. */
  synchronized boolean markGone() {
    if (gone) {
      return false;
    }
    gone = true;
    return true;
  }

  /** Connections taken from the pool and not given back. */
  int activeConnections() {
    return pool.isClosed() ? 0 : pool.getHikariPoolMXBean().getActiveConnections();
  }

  /**
   * Every open session of the pool (at least one), for a reset: none may be in use. The caller
   * closes them (back into the pool).
   */
  List<Connection> borrowSessions() throws SQLException {
    int total = Math.max(1, pool.getHikariPoolMXBean().getTotalConnections());
    List<Connection> sessions = new ArrayList<>(total);
    try {
      for (int i = 0; i < total; i++) {
        sessions.add(pool.getConnection());
      }
    } catch (SQLException | RuntimeException e) {
      close(sessions);
      throw e;
    }
    return sessions;
  }

  /** Closes the pool's sessions and the resetter's: the clone leaves this JVM. */
  void closeSessions() {
    try {
      pool.close();
    } finally {
      if (resetter != null) {
        try {
          resetter.close();
        } catch (SQLException ignored) {
          // The server ends it when it goes.
        }
      }
    }
  }

  static void close(List<Connection> sessions) {
    for (Connection session : sessions) {
      try {
        session.close();
      } catch (SQLException ignored) {
        // Back into the pool as far as it goes; a broken one is evicted by the pool.
      }
    }
  }

  @Override
  public String toString() {
    return database.databaseName() + "[" + state + "]";
  }
}
