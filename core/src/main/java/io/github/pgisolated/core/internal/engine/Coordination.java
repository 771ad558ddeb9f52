package io.github.pgisolated.core.internal.engine;

import io.github.pgisolated.core.UnableToLeaseDatabaseException;
import io.github.pgisolated.core.internal.coordinator.CoordinatorDirectory;
import io.github.pgisolated.core.internal.coordinator.CoordinatorLock;
import io.github.pgisolated.core.internal.coordinator.CoordinatorUnavailableException;
import io.github.pgisolated.core.internal.coordinator.Election;
import io.github.pgisolated.core.internal.coordinator.LeaseService.Lease;
import io.github.pgisolated.core.internal.coordinator.LeaseService;
import io.github.pgisolated.core.internal.coordinator.LeaseSocketClient;
import io.github.pgisolated.core.internal.coordinator.LeaseSocketServer;
import io.github.pgisolated.core.internal.pool.CoordinatorPools;
import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who this JVM leases databases from, and the election that decides it.
 *
 * <p>The JVMs sharing a PostgreSQL server elect one of themselves as coordinator by taking a file
 * lock in their {@link CoordinatorDirectory}. The winner owns the {@link CoordinatorPools} and
 * serves the others on a Unix domain socket; the others lease through it. When the coordinator
 * goes away (it exits, or is killed), its socket connections end: whoever notices first calls
 * {@link #lost}, and the next call to {@link #service} elects again. The new coordinator rebuilds
 * the pools from PostgreSQL; holders of leases re-claim them (see {@link PoolEngine}).
 *
 * <p>Without a directory (coordination off, or a server only this JVM can use) this JVM is its
 * own coordinator, with no socket.
 *
 * <p><b>A removed directory.</b> While this JVM coordinates, a guard looks every
 * {@link #GUARD_MILLIS} ms (and before each of this JVM's own leases) whether the lock and socket
 * files at their paths are still the ones it holds: a temporary-file cleaner may have removed the
 * directory, and the next JVM would then create it again and be elected too. If they are gone,
 * the guard creates them again (lock renewed, socket bound again) and warns; if another JVM won
 * the new lock first, this JVM steps down: it stops serving (its clients re-claim their leases
 * from the new coordinator, as after a takeover) and re-claims its own tests' clones from it.
 *
 * <p>Concurrency: one monitor guards the role; elections and the guard's checks run under it, so
 * concurrent callers wait for one election instead of running several. Re-claiming after a step
 * down runs outside it (it elects, through {@link #service}).
 */
final class Coordination implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Coordination.class);
  private static final long RETRY_MILLIS = 20;
  static final long GUARD_MILLIS = 250;

  private final CoordinatorDirectory directory;
  private final Function<Boolean, CoordinatorPools> poolsFactory;
  private final Consumer<Lease> leaseLost;
  private final Consumer<LeaseService> steppedDown;
  private ScheduledExecutorService guard;
  private LeaseService current;
  private CoordinatorPools pools;
  private LeaseSocketServer server;
  private CoordinatorLock lock;
  private LeaseSocketClient client;
  private boolean closed;

  /**
   * @param directory where to elect, or null to be this JVM's own coordinator
   * @param poolsFactory creates this JVM's pools when it becomes the coordinator; its argument
   *     says whether the previous coordinator died without cleaning up
   * @param leaseLost called (on a client thread) with each lease whose coordinator went away
   * @param steppedDown called (on the guard's thread, outside this monitor) with this JVM's pools
   *     when it stopped coordinating because another JVM was elected in its re-created directory:
   *     the leases they handed out must be re-claimed from the new coordinator
   */
  Coordination(CoordinatorDirectory directory, Function<Boolean, CoordinatorPools> poolsFactory,
      Consumer<Lease> leaseLost, Consumer<LeaseService> steppedDown) {
    this.directory = directory;
    this.poolsFactory = poolsFactory;
    this.leaseLost = leaseLost;
    this.steppedDown = steppedDown;
  }

  /** The coordinator to lease from, electing one if there is none; waits until the deadline. */
  synchronized LeaseService service(long deadlineNanos) {
    if (current != null && current == pools && server != null && !filesIntact()) {
      // Checked here too, so that this JVM's own tests never lease from a pool that may have a
      // second coordinator beside it.
      LeaseService resigned = checkDirectoryLocked();
      if (resigned != null) {
        Thread reclaim = new Thread(() -> steppedDown.accept(resigned), "pgisolated-step-down");
        reclaim.setDaemon(true);
        reclaim.start();
      }
    }
    while (current == null) {
      if (closed) {
        throw new UnableToLeaseDatabaseException("This pgisolated pool is closed.");
      }
      if (directory == null) {
        pools = poolsFactory.apply(false);
        current = pools;
        break;
      }
      long started = System.nanoTime();
      boolean elected;
      try {
        elected = elect();
      } catch (CoordinatorUnavailableException transientFailure) {
        // The election itself hit a passing failure (a socket file being replaced, a bind race):
        // try again, like a lost election.
        LOG.debug("Election attempt failed; retrying", transientFailure);
        elected = false;
      }
      if (elected) {
        // elect() also succeeds by finding a coordinator that answers: only a won election is news.
        if (current == pools) {
          LOG.info("This JVM coordinates the pgisolated pool of {} (elected in {} ms)", directory,
              TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        }
        break;
      }
      if (System.nanoTime() - deadlineNanos > 0) {
        throw new UnableToLeaseDatabaseException("No pgisolated coordinator could be elected or reached in "
            + directory + " before the lease timeout. Another JVM holds its lock but does not answer on its socket; "
            + "if no pgisolated tests are running, that JVM is stuck: stop it.");
      }
      try {
        wait(RETRY_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new UnableToLeaseDatabaseException("Interrupted while electing a pgisolated coordinator", e);
      }
    }
    return current;
  }

  /** One attempt: become the coordinator, or find one that answers. */
  private boolean elect() {
    Election.Result result = Election.tryBecomeCoordinator(directory);
    if (result instanceof Election.Won won) {
      lock = won.lock();
      // A coordinator that exits cleanly removes its socket; one left behind means it died. A lock
      // file this election created may mean a directory removed under a live coordinator, which
      // may still hand out clones for a moment: treated as unclean too (orphans are confirmed
      // before they are recreated).
      boolean unclean = Files.exists(directory.socketFile()) || won.createdLockFile();
      try {
        pools = poolsFactory.apply(unclean);
        server = LeaseSocketServer.start(directory, lock, pools, pools::status);
        guard = Executors.newSingleThreadScheduledExecutor(runnable -> {
          Thread thread = new Thread(runnable, "pgisolated-coordinator-guard");
          thread.setDaemon(true);
          return thread;
        });
        guard.scheduleWithFixedDelay(this::checkDirectory, GUARD_MILLIS, GUARD_MILLIS, TimeUnit.MILLISECONDS);
      } catch (RuntimeException e) {
        closeCoordinatorRole();
        throw e;
      }
      current = pools;
      return true;
    }
    LeaseSocketClient candidate = new LeaseSocketClient(directory);
    try {
      candidate.status();
    } catch (CoordinatorUnavailableException e) {
      // The winner has not bound its socket yet, or is going away: try again shortly.
      candidate.close();
      return false;
    }
    candidate.onLost(leaseLost);
    client = candidate;
    current = candidate;
    LOG.debug("Leasing through the pgisolated coordinator in {}", directory);
    return true;
  }

  private boolean filesIntact() {
    return lock.isIntact() && server.isBound();
  }

  /** The guard: re-creates a removed lock or socket file, or steps down if another JVM won. */
  void checkDirectory() {
    LeaseService resigned = checkDirectoryLocked();
    if (resigned != null) {
      steppedDown.accept(resigned);
    }
  }

  /** Null when this JVM still coordinates (or never did), else the pools it stopped serving. */
  private synchronized LeaseService checkDirectoryLocked() {
    if (closed || server == null || lock == null || current != pools || filesIntact()) {
      return null;
    }
    try {
      if (lock.isIntact() || lock.renew()) {
        server.rebind();
        LOG.warn("The coordinator directory {} lost its lock or socket file while this JVM coordinated (a "
            + "temporary-file cleaner, or by hand); they were created again and the socket bound again. Keep "
            + "{} out of reach of such cleaners (systemd-tmpfiles, tmpreaper).", directory, CoordinatorDirectory.CONFIG_KEY);
        return null;
      }
      LOG.error("The coordinator directory {} was removed while this JVM coordinated, and another JVM ({}) was "
          + "elected in the re-created one before this one could take it again. This JVM stops coordinating; its "
          + "leases and its clients' are re-claimed from the new coordinator. Keep {} out of reach of temporary-file "
          + "cleaners (systemd-tmpfiles, tmpreaper).", directory, coordinatorPid(), CoordinatorDirectory.CONFIG_KEY);
    } catch (RuntimeException e) {
      LOG.error("The coordinator directory {} lost its lock or socket file and they could not be created again; "
          + "this JVM stops coordinating, and the next lease elects a coordinator again", directory, e);
    }
    LeaseService resigned = pools;
    closeCoordinatorRole();
    current = null;
    notifyAll();
    return resigned;
  }

  private String coordinatorPid() {
    try {
      return "pid " + Files.readString(directory.coordinatorFile()).trim();
    } catch (IOException e) {
      return "pid unknown";
    }
  }

  /** The given service failed: forget it, so that the next {@link #service} call elects again. */
  synchronized void lost(LeaseService failed) {
    if (current == failed && failed == client) {
      current = null;
      // Leases still held through the old client are re-claimed by their holders: each is
      // reported lost by its watcher, also those whose connections have not ended yet.
      client.abandon();
      client = null;
      notifyAll();
    }
  }

  /** Where the election happens, or null when this JVM is its own coordinator without one. */
  CoordinatorDirectory directory() {
    return directory;
  }

  synchronized boolean isCoordinator() {
    return current != null && current == pools;
  }

  /** This JVM's pools when it is the coordinator, else null. */
  synchronized CoordinatorPools pools() {
    return current == pools ? pools : null;
  }

  /**
   * Stops serving: clients see their connections end and elect a new coordinator, which can
   * claim this JVM's databases once the caller closes its claims session. The election lock is
   * released last, by {@link #releaseLock()}.
   */
  @Override
  public synchronized void close() {
    closed = true;
    if (guard != null) {
      guard.shutdown();
      guard = null;
    }
    if (client != null) {
      client.close();
      client = null;
    }
    // Pools first: closing the server ends every lease connection, which the server reports as
    // give-backs. Those databases are still in use by tests in other JVMs (they re-claim them
    // from the next coordinator), so a closed pool must only mark them, never recreate them.
    if (pools != null) {
      pools.close();
    }
    if (server != null) {
      server.close();
      server = null;
    }
    current = null;
    notifyAll();
  }

  /** Releases the election lock (after the claims session is closed). */
  synchronized void releaseLock() {
    if (lock != null) {
      lock.close();
      lock = null;
    }
  }

  private void closeCoordinatorRole() {
    if (guard != null) {
      guard.shutdown();
      guard = null;
    }
    if (server != null) {
      server.close();
      server = null;
    }
    if (pools != null) {
      pools.close();
      pools = null;
    }
    if (lock != null) {
      lock.close();
      lock = null;
    }
  }
}
