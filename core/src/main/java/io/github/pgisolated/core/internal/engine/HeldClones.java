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
import io.github.pgisolated.core.internal.server.ServerEndpoint;
import java.sql.SQLException;
import java.time.Duration;
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
