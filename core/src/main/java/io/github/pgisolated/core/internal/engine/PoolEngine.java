package io.github.pgisolated.core.internal.engine;

import com.zaxxer.hikari.HikariDataSource;
import io.github.pgisolated.core.DatabaseLease;
import io.github.pgisolated.core.LeaseMode;
import io.github.pgisolated.core.PgIsolatedConfig.Coordinator;
import io.github.pgisolated.core.PgIsolatedConfig;
import io.github.pgisolated.core.PgIsolatedPool;
import io.github.pgisolated.core.TemplateDefinition;
import io.github.pgisolated.core.UnableToLeaseDatabaseException;
import io.github.pgisolated.core.UnableToStartPostgresException;
import io.github.pgisolated.core.internal.coordinator.CoordinatorDirectory;
import io.github.pgisolated.core.internal.coordinator.CoordinatorUnavailableException;
import io.github.pgisolated.core.internal.coordinator.LeaseRefusedException;
import io.github.pgisolated.core.internal.coordinator.LeaseService.Disposition;
import io.github.pgisolated.core.internal.coordinator.LeaseService.Holder;
import io.github.pgisolated.core.internal.coordinator.LeaseService.Lease;
import io.github.pgisolated.core.internal.coordinator.LeaseService;
import io.github.pgisolated.core.internal.db.DataSources;
import io.github.pgisolated.core.internal.db.DatabaseAdmin;
import io.github.pgisolated.core.internal.db.DatabaseClaims;
import io.github.pgisolated.core.internal.pool.CoordinatorPools;
import io.github.pgisolated.core.internal.pool.PoolStatistics;
import io.github.pgisolated.core.internal.report.RunReport;
import io.github.pgisolated.core.internal.server.PostgresServer;
import io.github.pgisolated.core.internal.server.ServerEndpoint;
import io.github.pgisolated.core.internal.template.TemplateHasher;
import io.github.pgisolated.core.internal.template.TemplateRegistry;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link PgIsolatedPool} of one JVM.
 *
 * <p>Templates are built here, by the JVM that needs them ({@link TemplateRegistry}). Clones are
 * leased from the coordinator ({@link Coordination}): this JVM's own {@link CoordinatorPools}
 * when it won the election, else the coordinator JVM through its socket. Every lease this JVM
 * holds is marked with a holder lock in PostgreSQL ({@link DatabaseClaims#tryHold}) and kept in
 * {@link #live}: when the coordinator goes away, each lost lease is re-claimed from the new
 * coordinator, which can tell, from the holder locks, running tests' clones from orphans.
 */
public final class PoolEngine implements PgIsolatedPool {
  private static final Logger LOG = LoggerFactory.getLogger(PoolEngine.class);
  private static final Duration RECLAIM_TIMEOUT = Duration.ofSeconds(15);
  /**
   * Bumped whenever coordinators and their clients stop understanding each other (the protocol,
   * the markers, the lease semantics); see {@link #coordinatorDirectory}.
   */
  static final int COMPATIBILITY = 2;
  private static final long PREFETCH_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  /**
   * How long a test waits for a prefetch under way. It must wait rather than lease by itself: in a
   * pool with no clone to spare, the prefetch may hold the very clone the test would wait for. A
   * prefetch gives up after {@link #PREFETCH_WAIT_NANOS} without a clone, so this bounds the wait
   * (plus the time to open its connection, which the test would otherwise pay itself).
   */
  private static final long PREFETCH_TAKE_WAIT_NANOS = PREFETCH_WAIT_NANOS + TimeUnit.SECONDS.toNanos(5);

  private final PgIsolatedConfig config;
  private final PostgresServer server;
  private final ServerEndpoint endpoint;
  private final HikariDataSource adminPool;
  private final DatabaseAdmin admin;
  private final DatabaseClaims claims;
  private final ThreadPoolExecutor workers;
  private final ExecutorService closer;
  private final TemplateRegistry templates;
  private final Coordination coordination;
  private final Holder holder;
  private final KeptDatabases kept;
  private final RunReport report = new RunReport();
  /** Null when {@code pgisolated.prefetch=false}. */
  private final Prefetcher prefetcher;
  private final Map<TemplateDefinition, String> hashes = new ConcurrentHashMap<>();
  private final Map<String, PooledLease> live = new ConcurrentHashMap<>();
  private volatile boolean closed;
  private final java.util.concurrent.atomic.AtomicBoolean firstLeaseLogged = new java.util.concurrent.atomic.AtomicBoolean();

  private PoolEngine(PgIsolatedConfig config, PostgresServer server) {
    this.config = config;
    this.server = server;
    this.endpoint = server.endpoint();
    this.adminPool = DataSources.pool(endpoint, endpoint.maintenanceDatabase(), config.poolParallelTasks() + 4,
        "pgisolated-admin", DatabaseAdmin.APPLICATION_NAME);
    this.admin = new DatabaseAdmin(adminPool, endpoint.majorVersion(), config.cloneStrategy());
    this.claims = new DatabaseClaims(() -> {
      try {
        return DataSources.connect(endpoint, endpoint.maintenanceDatabase());
      } catch (SQLException e) {
        throw new UnableToStartPostgresException("Could not open pgisolated's session on " + endpoint + ": " + e, e);
      }
    });
    this.workers = daemonPool("pgisolated-worker-", config.poolParallelTasks());
    this.closer = Executors.newCachedThreadPool(daemonThreads("pgisolated-closer-"));
    this.templates = TemplateRegistry.create(endpoint, admin, claims, config, report);
    this.kept = new KeptDatabases(admin, config.keepFailedDatabases());
    this.prefetcher = config.prefetch()
        // Opportunistic: a prefetch takes a clone only if one is ready within moments, so that it
        // never sits in the pool's queue ahead of a test that needs the clone now.
        ? new Prefetcher(hash -> leaseFromCoordinator(hash, System.nanoTime() + PREFETCH_WAIT_NANOS,
            LeaseMode.READ_WRITE), closer)
        : null;
    long pid = ProcessHandle.current().pid();
    this.holder = new Holder(pid, "JVM " + pid);
    this.coordination = new Coordination(coordinatorDirectory(config, server),
        unclean -> {
          // A coordinator also clears away what earlier runs kept for debugging.
          workers.execute(kept::dropThoseOfEndedRuns);
          return new CoordinatorPools(admin, adminPool, claims, workers, config, endpoint::description, unclean,
              report);
        },
        this::leaseLost);
  }

  /** Starts the configured server and a pool on it. */
  public static PoolEngine start(PgIsolatedConfig config) {
    long start = System.nanoTime();
    PostgresServer server = Servers.start(config);
    try {
      PoolEngine engine = new PoolEngine(config, server);
      LOG.info("pgisolated ready on {} in {} ms", server.endpoint(), millisSince(start));
      return engine;
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
  public DatabaseLease lease(TemplateDefinition template, Duration timeout, LeaseMode mode) {
    if (closed) {
      throw new UnableToLeaseDatabaseException("This pgisolated pool is closed.");
    }
    long start = System.nanoTime();
    String hash = templateHash(template);
    templates.ensureReady(template, hash, start + config.templateTimeout().toNanos());
    PooledLease lease = mode == LeaseMode.READ_WRITE && prefetcher != null
        ? prefetcher.take(hash, PREFETCH_TAKE_WAIT_NANOS) : null;
    if (lease == null) {
      lease = leaseFromCoordinator(hash, System.nanoTime() + timeout.toNanos(), mode);
    }
    if (prefetcher != null && mode == LeaseMode.READ_WRITE) {
      // The next test's database, fetched while this one runs.
      prefetcher.refill(hash);
    }
    report.leases().add(System.nanoTime() - start);
    if (firstLeaseLogged.compareAndSet(false, true)) {
      // Time to first test: what a user waits for before the first test runs.
      LOG.info("First database leased {} ms after this JVM started", System.currentTimeMillis()
          - java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime());
    }
    return lease;
  }

  /**
   * Joins the election now instead of at the first lease: a long-lived server (pgisolated-cli's
   * serve) should be the coordinator when it can. True when this JVM is the coordinator.
   */
  public boolean joinElection() {
    coordination.service(System.nanoTime() + config.leaseTimeout().toNanos());
    return coordination.isCoordinator();
  }

  /**
   * Makes sure a template is built and ready on the server (building it, or waiting for whoever
   * builds it), and used by this JVM until it closes; returns its hash. For servers that clone
   * the template themselves (pgisolated-cli's pgmanager databases).
   */
  public String ensureTemplate(TemplateDefinition template) {
    String hash = templateHash(template);
    templates.ensureReady(template, hash, System.nanoTime() + config.templateTimeout().toNanos());
    return hash;
  }

  /**
   * Leases a clone of a template that is already finished on the server, built by a client in
   * another process ({@code ClientTemplates}); nothing is built or prefetched. For pgisolated-cli,
   * which hands the database on to that client.
   */
  public ClientLease leaseBuilt(String hash, Duration timeout) {
    if (closed) {
      throw new UnableToLeaseDatabaseException("This pgisolated pool is closed.");
    }
    return leaseFromCoordinator(hash, System.nanoTime() + timeout.toNanos(), LeaseMode.READ_WRITE);
  }

  /** A lease from the coordinator, electing a new one and asking again when it goes away. */
  private PooledLease leaseFromCoordinator(String hash, long deadline, LeaseMode mode) {
    while (true) {
      LeaseService service = coordination.service(deadline);
      try {
        Lease lease = service.lease(hash, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())), holder);
        return hold(service, lease, mode);
      } catch (CoordinatorUnavailableException e) {
        // The coordinator went away while we asked: elect again and ask the new one.
        coordination.lost(service);
        if (System.nanoTime() - deadline > 0) {
          throw new UnableToLeaseDatabaseException("The pgisolated coordinator went away and no other could serve "
              + "before the lease timeout: " + e.getMessage(), e);
        }
      }
    }
  }

  private PooledLease hold(LeaseService service, Lease lease, LeaseMode mode) {
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
    if (mode == LeaseMode.READ_ONLY) {
      try {
        admin.setDefaultReadOnly(lease.database(), true);
      } catch (SQLException e) {
        giveBackQuietly(service, lease);
        throw new UnableToLeaseDatabaseException("Could not make " + lease.database() + " read-only on " + endpoint
            + ": " + e.getMessage(), e);
      }
    }
    PooledLease pooled = new PooledLease(this, service, lease, endpoint.database(lease.database()), mode);
    live.put(lease.database(), pooled);
    return pooled;
  }

  private void giveBackQuietly(LeaseService service, Lease lease) {
    try {
      claims.stopHolding(lease.database());
      service.giveBack(lease);
    } catch (SQLException | RuntimeException e) {
      LOG.debug("Could not give {} back", lease.database(), e);
    }
  }

  /**
   * Keeps a leased database for debugging (see {@link KeptDatabases}); empty when this JVM has
   * kept as many as it may, or keeping failed (then the database is given back as usual).
   */
  java.util.Optional<String> keep(PooledLease pooled, String reason) {
    if (!kept.tryReserve()) {
      return java.util.Optional.empty();
    }
    try {
      String name = kept.keep(pooled.database().databaseName(), pooled.templateHash(), reason);
      giveBack(pooled, Disposition.KEPT);
      LOG.info("Kept {} for debugging ({}) as {}", pooled.database().databaseName(), reason, name);
      return java.util.Optional.of(name);
    } catch (SQLException | RuntimeException e) {
      kept.unreserve();
      LOG.warn("Could not keep {} for debugging; giving it back", pooled.database().databaseName(), e);
      return java.util.Optional.empty();
    }
  }

  /** Lets new sessions write again before a read-only database goes back unchanged; false on failure. */
  boolean undoReadOnly(String database) {
    try {
      admin.setDefaultReadOnly(database, false);
      return true;
    } catch (SQLException e) {
      LOG.debug("Could not undo read-only on {}; it is recreated instead", database, e);
      return false;
    }
  }

  /** Called by a lease once its connections are closed: the database goes back to the coordinator. */
  void giveBack(PooledLease pooled) {
    giveBack(pooled, Disposition.DIRTY);
  }

  /** Gives a lease's database back, saying what became of it. */
  void giveBack(PooledLease pooled, Disposition disposition) {
    live.remove(pooled.database().databaseName(), pooled);
    try {
      claims.stopHolding(pooled.database().databaseName());
    } catch (SQLException e) {
      LOG.debug("Could not drop the holder lock of {}", pooled.database().databaseName(), e);
    }
    PooledLease.Source source = pooled.source();
    try {
      source.service().giveBack(source.lease(), disposition);
    } catch (CoordinatorUnavailableException e) {
      // The coordinator is gone; its successor finds no holder lock and recreates the clone.
      LOG.debug("Coordinator gone while giving back {}", source.lease().database(), e);
    }
  }

  /** The coordinator that handed out this lease went away: re-claim it from the next one. */
  private void leaseLost(Lease lost) {
    PooledLease pooled = live.get(lost.database());
    if (pooled == null || closed) {
      return;
    }
    coordination.lost(pooled.source().service());
    long deadline = System.nanoTime() + RECLAIM_TIMEOUT.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() - deadline < 0 && live.get(lost.database()) == pooled) {
      LeaseService service = coordination.service(deadline);
      try {
        Lease reclaimed = service.reclaim(lost.database(), holder);
        if (!pooled.rebind(service, reclaimed)) {
          // The test gave it back while we were re-claiming it: pass that on.
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
    if (last != null && live.get(lost.database()) == pooled) {
      LOG.error("Could not re-claim {} after a coordinator takeover; it stays held by this JVM's holder lock until "
          + "the test gives it back", lost.database(), last);
    }
  }

  /** The hash a template's databases are named after on this server. */
  public String templateHash(TemplateDefinition template) {
    return hashes.computeIfAbsent(template, d -> TemplateHasher.hash(d, endpoint.majorVersion()));
  }

  HikariDataSource openDataSource(String database) {
    return DataSources.pool(endpoint, database, config.dataSourceMaxConnections(), "pgisolated-" + database,
        DatabaseAdmin.APPLICATION_NAME);
  }

  public DatabaseAdmin admin() {
    return admin;
  }

  /** Runs slow clean-up (closing a lease's connection pool) off the test's thread. */
  void closeInBackground(Runnable task) {
    try {
      closer.execute(task);
    } catch (RejectedExecutionException shutDown) {
      task.run();
    }
  }

  /** The pool of a template hash when this JVM is the coordinator, else null (for tests and reports). */
  public PoolStatistics statistics(String hash) {
    CoordinatorPools pools = coordination.pools();
    return pools == null ? null : pools.statistics(hash);
  }

  /** What this JVM's pool did so far (the run report's figures). */
  public RunReport report() {
    return report;
  }

  /** Whether this JVM is the elected coordinator (or its own, with coordination off). */
  public boolean isCoordinator() {
    return coordination.isCoordinator();
  }

  public ServerEndpoint endpoint() {
    return endpoint;
  }

  @Override
  public PgIsolatedConfig config() {
    return config;
  }

  @Override
  public String serverDescription() {
    return endpoint.description();
  }

  /**
   * Closes in the order that lets another JVM take over cleanly: pending give-backs, then the
   * coordinator's socket (its clients start electing), then the claims session (which frees this
   * JVM's databases for the successor), and only then the election lock.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (prefetcher != null) {
      prefetcher.close();
    }
    shutdown(closer);
    if (config.report() && (report.leases().count() > 0 || report.builds().count() > 0)) {
      LOG.info(report.format("JVM " + holder.pid() + (coordination.isCoordinator() ? ", the coordinator" : "")));
    }
    coordination.close();
    shutdown(workers);
    templates.close();
    claims.close();
    coordination.releaseLock();
    adminPool.close();
    server.close();
  }

  private static void shutdown(ExecutorService executor) {
    executor.shutdown();
    try {
      if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      executor.shutdownNow();
    }
  }

  private static ThreadPoolExecutor daemonPool(String prefix, int threads) {
    ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        daemonThreads(prefix));
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private static long millisSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
