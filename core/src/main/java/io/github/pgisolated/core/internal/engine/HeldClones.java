package io.github.pgisolated.core.internal.engine;

import com.zaxxer.hikari.HikariDataSource;
import io.github.pgisolated.core.PgIsolatedConfig;
import io.github.pgisolated.core.UnableToLeaseDatabaseException;
import io.github.pgisolated.core.internal.coordinator.CoordinatorUnavailableException;
import io.github.pgisolated.core.internal.coordinator.LeaseRefusedException;
import io.github.pgisolated.core.internal.coordinator.LeaseService;
import io.github.pgisolated.core.internal.coordinator.LeaseService.Disposition;
import io.github.pgisolated.core.internal.coordinator.LeaseService.Holder;
import io.github.pgisolated.core.internal.coordinator.LeaseService.Lease;
import io.github.pgisolated.core.internal.db.DataSources;
import io.github.pgisolated.core.internal.db.DatabaseAdmin;
import io.github.pgisolated.core.internal.db.DatabaseClaims;
import io.github.pgisolated.core.internal.engine.TemplateResets.NotInTemplateState;
import io.github.pgisolated.core.internal.reset.InPlaceReset;
import io.github.pgisolated.core.internal.server.ServerEndpoint;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clones this JVM holds from the coordinator, and how it gets and gives them back.
 *
 * <p>Clones are leased from the coordinator ({@link Coordination}): this JVM's own pools when it
 * won the election, else the coordinator JVM through its socket. Every clone this JVM holds is
 * marked with a holder lock in PostgreSQL ({@link DatabaseClaims#tryHold}) and kept in
 * {@link #live}: when the coordinator goes away, each one is re-claimed from the next coordinator,
 * which can tell, from the holder locks, running tests' clones from orphans. That covers the
 * clones tests use and the idle ones this JVM keeps for its next tests alike.
 *
 * <p>Thread-safe: {@link #live} is concurrent; a clone's source changes only through its
 * synchronized {@link HeldClone#rebind}.
 */
final class HeldClones {
  private static final Logger LOG = LoggerFactory.getLogger(HeldClones.class);
  private static final Duration RECLAIM_TIMEOUT = Duration.ofSeconds(15);
  /** Attempts to get a clone that proves to be in its template's state, for a template's snapshot. */
  private static final int SNAPSHOT_ATTEMPTS = 3;

  private final PgIsolatedConfig config;
  private final ServerEndpoint endpoint;
  private final DatabaseClaims claims;
  private final Executor closer;
  private final Holder holder;
  private final Map<String, HeldClone> live = new ConcurrentHashMap<>();
  private Coordination coordination;
  private volatile boolean closed;

  HeldClones(PgIsolatedConfig config, ServerEndpoint endpoint, DatabaseClaims claims, Executor closer, Holder holder) {
    this.config = config;
    this.endpoint = endpoint;
    this.claims = claims;
    this.closer = closer;
    this.holder = holder;
  }

  /** Who to lease from; set once, right after construction (the coordination reports lost leases here). */
  void leaseFrom(Coordination coordination) {
    this.coordination = coordination;
  }

  /**
   * A clone of a finished template from the coordinator, held (holder lock) by this JVM, with a
   * connection pool that has not connected yet. Elects a new coordinator and asks again when the
   * one asked goes away.
   */
  HeldClone acquire(String hash, long deadlineNanos) {
    while (true) {
      LeaseService service = coordination.service(deadlineNanos);
      try {
        Lease lease = service.lease(hash, Duration.ofNanos(Math.max(1, deadlineNanos - System.nanoTime())), holder);
        return hold(hash, service, lease);
      } catch (CoordinatorUnavailableException e) {
        // The coordinator went away while we asked: elect again and ask the new one.
        coordination.lost(service);
        if (System.nanoTime() - deadlineNanos > 0) {
          throw new UnableToLeaseDatabaseException("The pgisolated coordinator went away and no other could serve "
              + "before the lease timeout: " + e.getMessage(), e);
        }
      }
    }
  }

  private HeldClone hold(String hash, LeaseService service, Lease lease) {
    try {
      if (!claims.tryHold(lease.database())) {
        service.giveBack(lease);
        throw new UnableToLeaseDatabaseException("The coordinator handed out " + lease.database()
            + ", which another JVM still holds; it was given back. This is a pgisolated bug: please report it.");
      }
    } catch (SQLException e) {
      service.giveBack(lease);
      throw new UnableToLeaseDatabaseException("Could not mark " + lease.database() + " as held on " + endpoint
          + ": " + e.getMessage(), e);
    }
    HikariDataSource pool = DataSources.pool(endpoint, lease.database(), config.dataSourceMaxConnections(),
        "pgisolated-" + lease.database(), DatabaseAdmin.APPLICATION_NAME);
    HeldClone clone = new HeldClone(hash, endpoint.database(lease.database()), pool, service, lease);
    live.put(lease.database(), clone);
    return clone;
  }

  /**
   * The clone leaves this JVM: its pool is closed (HikariCP's close waits some 30 ms on its
   * executors, so off the caller's thread) and then it goes back to the coordinator. Once only.
   */
  void leave(HeldClone clone, Disposition disposition) {
    if (!clone.markGone()) {
      return;
    }
    Runnable task = () -> {
      try {
        clone.closeSessions();
      } finally {
        giveBack(clone, disposition);
      }
    };
    try {
      closer.execute(task);
    } catch (RejectedExecutionException shutDown) {
      task.run();
    }
  }

  /** Gives a clone back now; its pool must be closed. */
  void giveBack(HeldClone clone, Disposition disposition) {
    String name = clone.database.databaseName();
    live.remove(name, clone);
    try {
      claims.stopHolding(name);
    } catch (SQLException e) {
      LOG.debug("Could not drop the holder lock of {}", name, e);
    }
    HeldClone.Source source = clone.source();
    try {
      source.service().giveBack(source.lease(), disposition);
    } catch (CoordinatorUnavailableException e) {
      // The coordinator is gone; its successor finds no holder lock and recreates the clone.
      LOG.debug("Coordinator gone while giving back {}", name, e);
    }
  }

  /**
   * A clone for a test of this JVM, its first connection open (idle in its pool), its reset
   * session open and its baseline taken; on the template's first clone, the template's snapshot
   * first (a clone that is not in the template's state goes back to be recreated, and another is
   * tried).
   */
  HeldClone acquireWarm(String hash, TemplateResets resets, long deadline) {
    for (int attempt = 1; ; attempt++) {
      HeldClone clone = acquire(hash, deadline);
      try {
        // The first test's connection is open before it asks (back in the pool, idle), and takes
        // the baseline (reads only). The clone's own session for resets is opened by its first
        // reset: a clone whose test changes its schema never needs one.
        try (Connection first = clone.pool.getConnection()) {
          InPlaceReset reset = resets.forClone(first);
          if (reset != null) {
            clone.baseline = reset.baseline(first);
          }
        }
        return clone;
      } catch (NotInTemplateState e) {
        LOG.warn("{}; it is recreated", e.getMessage());
        leave(clone, Disposition.DIRTY);
        if (attempt >= SNAPSHOT_ATTEMPTS) {
          throw new UnableToLeaseDatabaseException("No clone of template " + hash + " that is in the template's state "
              + "after " + attempt + " attempts: " + e.getMessage(), e);
        }
      } catch (SQLException | RuntimeException e) {
        // Warming only connects and reads, so a clone whose warming the pool's closing cut short
        // (an interrupted connect) is as the coordinator handed it out: it goes back ready.
        leave(clone, closed || Thread.currentThread().isInterrupted() ? Disposition.UNCHANGED : Disposition.DIRTY);
        throw e instanceof RuntimeException r ? r : new UnableToLeaseDatabaseException("Could not connect to "
            + clone.database.jdbcUrl() + ": " + e.getMessage(), e);
      }
    }
  }

  /** A clone whose every new session is read-only (set before its pool connects). */
  HeldClone acquireReadOnly(String hash, long deadline, DatabaseAdmin admin) {
    HeldClone clone = acquire(hash, deadline);
    try {
      admin.setDefaultReadOnly(clone.database.databaseName(), true);
      return clone;
    } catch (SQLException e) {
      leave(clone, Disposition.DIRTY);
      throw new UnableToLeaseDatabaseException("Could not make " + clone.database.databaseName() + " read-only on "
          + endpoint + ": " + e.getMessage(), e);
    }
  }

  /**
   * The clone of a read-only lease goes back: as it is when the test left it tidy (writing allowed
   * again), else to be recreated. True when it went back as it is.
   */
  boolean leaveReadOnly(HeldClone clone, boolean tidy, DatabaseAdmin admin) {
    boolean unchanged = tidy && undoReadOnly(clone.database.databaseName(), admin);
    leave(clone, unchanged ? Disposition.UNCHANGED : Disposition.DIRTY);
    return unchanged;
  }

  private static boolean undoReadOnly(String database, DatabaseAdmin admin) {
    try {
      admin.setDefaultReadOnly(database, false);
      return true;
    } catch (SQLException e) {
      LOG.debug("Could not undo read-only on {}; it is recreated instead", database, e);
      return false;
    }
  }

  /** The coordinator that handed out this lease went away: re-claim it from the next one. */
  void leaseLost(Lease lost) {
    HeldClone clone = live.get(lost.database());
    if (clone == null || closed) {
      return;
    }
    coordination.lost(clone.source().service());
    long deadline = System.nanoTime() + RECLAIM_TIMEOUT.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() - deadline < 0 && live.get(lost.database()) == clone) {
      LeaseService service = coordination.service(deadline);
      try {
        Lease reclaimed = service.reclaim(lost.database(), holder);
        if (!clone.rebind(service, reclaimed)) {
          // The clone left while we were re-claiming it: pass that on.
          service.giveBack(reclaimed);
        }
        return;
      } catch (CoordinatorUnavailableException e) {
        coordination.lost(service);
        last = e;
      } catch (LeaseRefusedException e) {
        // The new coordinator may not have adopted it yet (the old one's session is ending).
        last = e;
        sleep(100);
      }
    }
    if (last != null && live.get(lost.database()) == clone) {
      LOG.error("Could not re-claim {} after a coordinator takeover; it stays held by this JVM's holder lock until "
          + "the test gives it back", lost.database(), last);
    }
  }

  /**
   * This JVM stopped coordinating (another JVM was elected in its re-created directory): every
   * clone its own pools handed to this JVM's tests is re-claimed from the new coordinator, as a
   * client re-claims after a takeover. Runs on the caller's thread, one clone after another.
   */
  void coordinatorSteppedDown(LeaseService resigned) {
    for (HeldClone clone : List.copyOf(live.values())) {
      HeldClone.Source source = clone.source();
      if (source.service() == resigned) {
        leaseLost(source.lease());
      }
    }
  }

  /** Stops re-claiming (the pool is closing). */
  void close() {
    closed = true;
  }

  private static void sleep(long millis) {
    try {
      TimeUnit.MILLISECONDS.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
