package io.github.pgisolated.core.internal.engine;

import io.github.pgisolated.core.DatabaseLease;
import io.github.pgisolated.core.LeaseMode;
import io.github.pgisolated.core.PgIsolatedConfig;
import io.github.pgisolated.core.PgIsolatedConfig.Coordinator;
import io.github.pgisolated.core.PgIsolatedPool;
import io.github.pgisolated.core.ResetMode;
import io.github.pgisolated.core.TemplateDefinition;
import io.github.pgisolated.core.UnableToLeaseDatabaseException;
import io.github.pgisolated.core.UnableToStartPostgresException;
import io.github.pgisolated.core.internal.coordinator.CoordinatorDirectory;
import io.github.pgisolated.core.internal.db.DatabaseAdmin;
import io.github.pgisolated.core.internal.pool.PoolStatistics;
import io.github.pgisolated.core.internal.report.RunReport;
import io.github.pgisolated.core.internal.server.PostgresServer;
import io.github.pgisolated.core.internal.server.ServerEndpoint;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link PgIsolatedPool} of one JVM, across the lives of its server.
 *
 * <p>The work is done by a {@link ServerSession}: this JVM's pool on one run of the server. When
 * the server dies (killed, out of memory, {@code pg_ctl stop -m immediate}), that session finds
 * out ({@link ServerWatch}) and is over; the next lease ends it and starts a new one, on a new
 * server: {@link Servers#start} restarts the embedded server under its cluster lock, so of all the
 * JVMs that find it dead exactly one starts it and the others find it running; an external server is
 * connected to again. The new session joins the election afresh, and the new coordinator rebuilds its
 * pools from the databases the server kept, as after any takeover. A lease that was waiting when the
 * server died is retried once on the new session, within its timeout; leases held at that moment fail
 * with {@link io.github.pgisolated.core.PostgresServerDiedException} when given back.
 *
 * <p>An external server that is down is tried at most once a second: leases in between fail at once
 * with the last attempt's error, so a suite whose server is gone fails fast instead of every test
 * waiting out its lease timeout.
 *
 * <p>Thread-safe. Sessions are replaced under {@link #restartLock}, the only lock this class takes;
 * the current session is read without it.
 */
public final class PoolEngine implements PgIsolatedPool {
  private static final Logger LOG = LoggerFactory.getLogger(PoolEngine.class);
  /**
   * Bumped whenever coordinators and their clients stop understanding each other (the protocol,
   * the markers, the lease semantics); see {@link #coordinatorDirectory}. 3: clones come back as
   * they are after a reset in place, markers carry fingerprints, demand and clean stamps.
   */
  static final int COMPATIBILITY = 3;
  /** How soon after a failed attempt to start or reach the server the next one is made. */
  private static final long RESTART_HOLD_OFF_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final PgIsolatedConfig config;
  private final RunReport report;
  private final Object restartLock = new Object();
  private final AtomicBoolean firstLeaseLogged = new AtomicBoolean();
  private volatile ServerSession session;
  private volatile boolean closed;
  /** The last failed restart and when (guarded by {@link #restartLock}). */
  private RuntimeException restartFailure;
  private long restartFailedAt;

  private PoolEngine(PgIsolatedConfig config, RunReport report, ServerSession session) {
    this.config = config;
    this.report = report;
    this.session = session;
  }

  /** Starts the configured server and a pool on it. */
  public static PoolEngine start(PgIsolatedConfig config) {
    OwnClasses.loadInBackground();
    long start = System.nanoTime();
    RunReport report = new RunReport();
    PoolEngine engine = new PoolEngine(config, report, newSession(config, report));
    LOG.info("pgisolated ready on {} in {} ms", engine.serverDescription(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    return engine;
  }

  private static ServerSession newSession(PgIsolatedConfig config, RunReport report) {
    PostgresServer server = Servers.start(config);
    try {
      return new ServerSession(config, server, report);
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  /**
   * Where the JVMs using this server with this configuration elect their coordinator; null when
   * they don't (coordination off, or a server only this JVM can use). Public for pgisolated-cli's
   * {@code status}, which asks the coordinator without joining the election.
   */
  public static CoordinatorDirectory coordinatorDirectory(PgIsolatedConfig config, PostgresServer server) {
    if (config.coordinator() == Coordinator.NONE || server.coordinationKey().isEmpty()) {
      return null;
    }
    // JVMs share a coordinator only when they run compatible code: two projects on one machine
    // with different pgisolated versions use the same server but never each other's coordinator.
    return CoordinatorDirectory.forTarget(config.coordinatorDirectory().orElseGet(CoordinatorDirectory::defaultBase),
        server.coordinationKey().get() + " compatibility " + COMPATIBILITY);
  }

  @Override
  public DatabaseLease lease(TemplateDefinition template, Duration timeout, LeaseMode mode, ResetMode reset) {
    long deadline = System.nanoTime() + timeout.toNanos();
    ServerSession current = live();
    DatabaseLease lease;
    try {
      lease = current.lease(template, timeout, mode, reset);
    } catch (RuntimeException e) {
      if (closed || !current.serverDied(ServerSession.isConnectionLoss(e))) {
        throw e;
      }
      // The server died while this lease waited: once more, on the next server.
      ServerSession next = replace(current);
      lease = next.lease(template, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())), mode, reset);
    }
    if (firstLeaseLogged.compareAndSet(false, true)) {
      // Time to first test: what a user waits for before the first test runs.
      LOG.info("First database leased {} ms after this JVM started",
          System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime());
    }
    return lease;
  }

  /** The current session, replaced first if its server died. */
  private ServerSession live() {
    if (closed) {
      throw new UnableToLeaseDatabaseException("This pgisolated pool is closed.");
    }
    ServerSession current = session;
    return current.death() == null ? current : replace(current);
  }

  /** Ends a dead session and starts the next (unless another thread did already). */
  private ServerSession replace(ServerSession dead) {
    synchronized (restartLock) {
      if (closed) {
        throw new UnableToLeaseDatabaseException("This pgisolated pool is closed.");
      }
      if (session != dead && session.death() == null) {
        return session;
      }
      ServerSession current = session;
      current.closeAfterDeath();
      if (restartFailure != null && System.nanoTime() - restartFailedAt < RESTART_HOLD_OFF_NANOS) {
        throw restartFailure;
      }
      long began = System.nanoTime();
      try {
        ServerSession next = newSession(config, report);
        session = next;
        restartFailure = null;
        LOG.warn("pgisolated goes on with {} ({} ms after finding the server gone: {})", next.endpoint().description(),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began), current.death());
        return next;
      } catch (RuntimeException e) {
        restartFailure = new UnableToStartPostgresException(current.death() + ". Starting or reaching it again failed: "
            + e.getMessage() + " The next lease tries again (at most once a second).", e);
        restartFailedAt = System.nanoTime();
        throw restartFailure;
      }
    }
  }

  /**
   * Joins the election now instead of at the first lease: a long-lived server (pgisolated-cli's
   * serve) should be the coordinator when it can. True when this JVM is the coordinator.
   */
  public boolean joinElection() {
    return live().joinElection();
  }

  /**
   * Makes sure a template is built and ready on the server (building it, or waiting for whoever
   * builds it), and used by this JVM until it closes; returns its hash. For servers that clone
   * the template themselves (pgisolated-cli's pgmanager databases).
   */
  public String ensureTemplate(TemplateDefinition template) {
    return live().ensureTemplate(template);
  }

  /**
   * Leases a clone of a template that is already finished on the server, built by a client in
   * another process ({@code ClientTemplates}); nothing is built or prefetched. For pgisolated-cli,
   * which hands the database on to that client.
   */
  public ClientLease leaseBuilt(String hash, Duration timeout) {
    return live().leaseBuilt(hash, timeout);
  }

  /** The hash a template's databases are named after on this server. */
  public String templateHash(TemplateDefinition template) {
    return session.templateHash(template);
  }

  public DatabaseAdmin admin() {
    return session.admin();
  }

  /** The pool of a template hash when this JVM is the coordinator, else null (for tests and reports). */
  public PoolStatistics statistics(String hash) {
    return session.statistics(hash);
  }

  /** What this JVM's pool did so far, across servers (the run report's figures). */
  public RunReport report() {
    return report;
  }

  /**
   * Takes part in the election now, without leasing: true when this JVM became (or is) the
   * coordinator. For the refill after a run, which only works when no run is going on.
   */
  public boolean takeCoordination() {
    return live().takeCoordination();
  }

  /** Makes a template's pool now, when this JVM is the coordinator (see {@code CoordinatorPools#prepare}). */
  public void preparePool(String hash) {
    session.preparePool(hash);
  }

  /** Where the server keeps its data, when this JVM can see it. */
  public Optional<java.nio.file.Path> dataDirectory() {
    return session.dataDirectory();
  }

  /** Whether this JVM is the elected coordinator (or its own, with coordination off). */
  public boolean isCoordinator() {
    return session.isCoordinator();
  }

  /** The current server's endpoint (a restarted embedded server may listen on another port). */
  public ServerEndpoint endpoint() {
    return session.endpoint();
  }

  @Override
  public PgIsolatedConfig config() {
    return config;
  }

  @Override
  public String serverDescription() {
    return session.endpoint().description();
  }

  /** Closes the current session (see {@link ServerSession#close}): the run's report, the refill, the handover. */
  @Override
  public void close() {
    synchronized (restartLock) {
      if (closed) {
        return;
      }
      closed = true;
      session.close();
    }
  }
}
