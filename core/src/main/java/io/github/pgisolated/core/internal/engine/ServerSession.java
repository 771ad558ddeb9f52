package io.github.pgisolated.core.internal.engine;

import com.zaxxer.hikari.HikariDataSource;
import io.github.pgisolated.core.DatabaseLease;
import io.github.pgisolated.core.LeaseMode;
import io.github.pgisolated.core.PgDatabase;
import io.github.pgisolated.core.PgIsolatedConfig;
import io.github.pgisolated.core.PostgresServerDiedException;
import io.github.pgisolated.core.ResetMode;
import io.github.pgisolated.core.TemplateDefinition;
import io.github.pgisolated.core.UnableToLeaseDatabaseException;
import io.github.pgisolated.core.UnableToStartPostgresException;
import io.github.pgisolated.core.internal.coordinator.LeaseService.Disposition;
import io.github.pgisolated.core.internal.coordinator.LeaseService.Holder;
import io.github.pgisolated.core.internal.db.DataSources;
import io.github.pgisolated.core.internal.db.DatabaseAdmin;
import io.github.pgisolated.core.internal.db.DatabaseClaims;
import io.github.pgisolated.core.internal.db.DatabaseNames;
import io.github.pgisolated.core.internal.db.TemplateFingerprint;
import io.github.pgisolated.core.internal.pool.CoordinatorPools;
import io.github.pgisolated.core.internal.pool.PoolStatistics;
import io.github.pgisolated.core.internal.report.RunReport;
import io.github.pgisolated.core.internal.server.PostgresServer;
import io.github.pgisolated.core.internal.server.ServerEndpoint;
import io.github.pgisolated.core.internal.space.SpaceAdvice;
import io.github.pgisolated.core.internal.template.TemplateHasher;
import io.github.pgisolated.core.internal.template.TemplateRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This JVM's pool on one run of the server: everything that lives only as long as the server
 * process it talks to (its connections, claims, coordinator role and the clones it holds).
 * {@link PoolEngine} replaces it with a new one when the server dies.
 *
 * <p>Templates are built here, by the JVM that needs them ({@link TemplateRegistry}). Clones come
 * from the coordinator ({@link HeldClones}) and stay in this JVM from test to test
 * ({@link WarmClones}, one set per template): a test that changed only rows and sequences gets them
 * put back in place and its clone, warm connections and all, serves the next test; anything else
 * sends the clone back to the coordinator to be recreated. Read-only leases are not reset: their
 * clone goes back as it is, or is recreated if the test left something behind.
 *
 * <p><b>A dead server.</b> The trimmer's tick also watches the server ({@link ServerWatch}); once it
 * is found dead the session is <em>dead</em> for good: its admin pool and claims session are closed
 * first (so nothing it still does can reach a restarted server), waiting leases fail with
 * {@link PostgresServerDiedException}, and leases still held fail when they are given back.
 */
final class ServerSession {
  private static final Logger LOG = LoggerFactory.getLogger(ServerSession.class);
  private static final long ADMIN_CONNECTION_TIMEOUT_MILLIS = 10_000;
  private static final long DEATH_GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);
  /** How often idle clones this JVM does not need are given back. */
  private static final long TRIM_PERIOD_MILLIS = 250;

  private final PgIsolatedConfig config;
  private final PostgresServer server;
  private final ServerEndpoint endpoint;
  private final HikariDataSource adminPool;
  private final DatabaseAdmin admin;
  private final DatabaseClaims claims;
  private final ThreadPoolExecutor workers;
  private final ExecutorService closer;
  private final ExecutorService requests;
  private final ExecutorService resetters;
  private final ScheduledExecutorService trimmer;
  private final TemplateRegistry templates;
  private final Coordination coordination;
  private final HeldClones held;
  private final Holder holder;
  private final KeptDatabases kept;
  private final RunReport report;
  private final ServerWatch watch;
  private final Optional<String> resetsUnavailable;
  /** The role this JVM administers the server as, when it is not a superuser (see TemplateHasher). */
  private final Optional<String> ownRole;
  private final Map<TemplateDefinition, String> hashes = new ConcurrentHashMap<>();
  private final Map<String, WarmClones> warm = new ConcurrentHashMap<>();
  private volatile boolean closed;
  /** Why the server is gone, once it is; null while it runs. */
  private volatile String death;

  ServerSession(PgIsolatedConfig config, PostgresServer server, RunReport report) {
    this.config = config;
    this.server = server;
    this.report = report;
    this.endpoint = server.endpoint();
    this.adminPool = DataSources.pool(endpoint, endpoint.maintenanceDatabase(), config.poolParallelTasks() + 4,
        "pgisolated-admin", DatabaseAdmin.APPLICATION_NAME);
    // Admin work takes a connection for milliseconds: a wait of 10 s means the server is gone, and
    // a lease that waits on it should fail over to the next server long before its own timeout.
    adminPool.setConnectionTimeout(ADMIN_CONNECTION_TIMEOUT_MILLIS);
    this.admin = new DatabaseAdmin(adminPool, endpoint.majorVersion(), config.cloneStrategy());
    this.ownRole = plainRole(admin, endpoint);
    this.claims = new DatabaseClaims(() -> {
      try {
        return DataSources.connect(endpoint, endpoint.maintenanceDatabase());
      } catch (SQLException e) {
        throw new UnableToStartPostgresException("Could not open pgisolated's session on " + endpoint + ": " + e, e);
      }
    });
    this.watch = new ServerWatch(server, claims);
    this.workers = daemonPool("pgisolated-worker-", config.poolParallelTasks());
    this.closer = Executors.newCachedThreadPool(daemonThreads("pgisolated-closer-"));
    // Requests block in the coordinator's pool (or on its socket) until a clone is ready.
    this.requests = Executors.newCachedThreadPool(daemonThreads("pgisolated-request-"));
    this.resetters = daemonPool("pgisolated-reset-", Math.max(2, Runtime.getRuntime().availableProcessors()));
    this.trimmer = Executors.newSingleThreadScheduledExecutor(daemonThreads("pgisolated-trim-"));
    SpaceAdvice space = new SpaceAdvice(server.dataDirectory(), config);
    this.templates = TemplateRegistry.create(endpoint, admin, claims, config, report, space);
    this.kept = new KeptDatabases(admin, config.keepFailedDatabases());
    long pid = ProcessHandle.current().pid();
    this.holder = new Holder(pid, "JVM " + pid);
    this.held = new HeldClones(config, endpoint, claims, closer, holder);
    this.coordination = new Coordination(PoolEngine.coordinatorDirectory(config, server),
        unclean -> {
          // A coordinator also clears away what earlier runs kept for debugging.
          workers.execute(kept::dropThoseOfEndedRuns);
          return new CoordinatorPools(admin, adminPool, claims, workers, config, endpoint::description, unclean,
              report, space, templates::freeSpace);
        },
        held::leaseLost, resigned -> {
          // The new coordinator can adopt this JVM's clones only once their claims are free.
          try {
            claims.releaseClaims(name -> DatabaseNames.hashOfCloneName(name).isPresent());
          } catch (SQLException e) {
            LOG.warn("Could not give up this JVM's claims on its clones after it stopped coordinating; the new "
                + "coordinator adopts them once this JVM ends", e);
          }
          held.coordinatorSteppedDown(resigned);
        });
    held.leaseFrom(coordination);
    this.resetsUnavailable = resetsUnavailable();
    trimmer.scheduleWithFixedDelay(this::trim, TRIM_PERIOD_MILLIS, TRIM_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
  }

  /**
   * Why this server can't reset clones in place, if it can't: the statistics resets rely on are
   * flushed on demand from PostgreSQL 15 on, and are only there with {@code track_counts} on.
   */
  private Optional<String> resetsUnavailable() {
    if (endpoint.majorVersion() < 15) {
      return Optional.of("PostgreSQL " + endpoint.majorVersion() + " can't flush statistics on demand "
          + "(pg_stat_force_next_flush, PostgreSQL 15 and later)");
    }
    try (Connection c = adminPool.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select current_setting('track_counts')::bool")) {
      rs.next();
      return rs.getBoolean(1) ? Optional.empty()
          : Optional.of("the server runs with track_counts off, so PostgreSQL does not count what tests change");
    } catch (SQLException e) {
      return Optional.of("its settings could not be read (" + e.getMessage() + ")");
    }
  }

  DatabaseLease lease(TemplateDefinition template, Duration timeout, LeaseMode mode, ResetMode reset) {
    throwIfDead();
    long start = System.nanoTime();
    String hash = templateHash(template);
    Optional<TemplateFingerprint> fingerprint = templates.ensureReady(template, hash,
        start + config.templateTimeout().toNanos());
    long deadline = System.nanoTime() + timeout.toNanos();
    TestLease lease;
    if (mode == LeaseMode.READ_ONLY) {
      lease = new TestLease(this, held.acquireReadOnly(hash, deadline, admin), null, reset);
    } else {
      WarmClones set = warm.computeIfAbsent(hash, h -> new WarmClones(h, new TemplateResets(h, fingerprint,
          config.resetVerify(), resetsUnavailable), this, requests, resetters, config.prefetch(), config.resetVerify(),
          report));
      lease = new TestLease(this, set.take(deadline), set, reset);
    }
    report.leases().add(System.nanoTime() - start);
    return lease;
  }

  /**
   * Joins the election now instead of at the first lease: a long-lived server (pgisolated-cli's
   * serve) should be the coordinator when it can. True when this JVM is the coordinator.
   */
  boolean joinElection() {
    coordination.service(System.nanoTime() + config.leaseTimeout().toNanos());
    return coordination.isCoordinator();
  }

  /**
   * Makes sure a template is built and ready on the server (building it, or waiting for whoever
   * builds it), and used by this JVM until it closes; returns its hash. For servers that clone
   * the template themselves (pgisolated-cli's pgmanager databases).
   */
  String ensureTemplate(TemplateDefinition template) {
    String hash = templateHash(template);
    templates.ensureReady(template, hash, System.nanoTime() + config.templateTimeout().toNanos());
    return hash;
  }

  /**
   * Leases a clone of a template that is already finished on the server, built by a client in
   * another process ({@code ClientTemplates}); nothing is built or prefetched. For pgisolated-cli,
   * which hands the database on to that client.
   */
  ClientLease leaseBuilt(String hash, Duration timeout) {
    throwIfDead();
    return new HandedOnLease(this, held.acquire(hash, System.nanoTime() + timeout.toNanos()));
  }

  /**
   * Gets a clone for a set, warms its first connection and takes its baseline (the template's
   * snapshot first, on the first clone); runs on a request thread, and reports to the set.
   */
  void acquireFor(WarmClones set) {
    try {
      set.arrived(held.acquireWarm(set.hash(), set.resets(), System.nanoTime() + config.leaseTimeout().toNanos()));
    } catch (RuntimeException e) {
      set.requestFailed(e);
    }
  }

  /** The clone of a read-only lease goes back: as it is when the test left it tidy, else to be recreated. */
  void leaveReadOnly(HeldClone clone, boolean tidy) {
    if (!held.leaveReadOnly(clone, tidy, admin)) {
      report.recreatedBecause("read-only test left connections open or failed");
    }
  }

  /** A session of pgisolated's own on a database of this server. */
  Connection connect(String database) throws SQLException {
    return DataSources.connect(endpoint, database);
  }

  void leave(HeldClone clone, Disposition disposition) {
    held.leave(clone, disposition);
  }

  /**
   * Keeps a test's clone for debugging (see {@link KeptDatabases}); empty when this JVM has kept as
   * many as it may, or keeping failed (then the clone is recreated as usual).
   */
  Optional<PgDatabase> keep(HeldClone clone, WarmClones set, String reason) {
    if (set != null) {
      set.detach(clone);
    }
    if (!clone.markGone()) {
      return Optional.empty();
    }
    String name = clone.database.databaseName();
    // The clone is renamed next, which needs it free of sessions: close them now.
    clone.closeSessions();
    report.recreatedBecause("failed test");
    if (!kept.tryReserve()) {
      held.giveBack(clone, Disposition.DIRTY);
      return Optional.empty();
    }
    try {
      String keptName = kept.keep(name, clone.hash, reason);
      held.giveBack(clone, Disposition.KEPT);
      LOG.info("Kept {} for debugging ({}) as {}", name, reason, keptName);
      PgDatabase db = clone.database;
      return Optional.of(new PgDatabase(db.host(), db.port(), keptName, db.user(), db.password()));
    } catch (SQLException | RuntimeException e) {
      kept.unreserve();
      LOG.warn("Could not keep {} for debugging; it is recreated", name, e);
      held.giveBack(clone, Disposition.DIRTY);
      return Optional.empty();
    }
  }

  /**
   * Gives idle clones this JVM does not need back to the coordinator; all of them, of every other
   * template, while a test of this JVM waits for the coordinator: the coordinator may have no room
   * for that test's clone but the clones this JVM keeps idle.
   */
  private void trim() {
    long now = System.nanoTime();
    boolean starving = warm.values().stream().anyMatch(WarmClones::starving);
    if (death == null && !watch.isRunning(starving || waitingForAdminConnections())) {
      died(watch.deathNotice());
      return;
    }
    for (WarmClones set : warm.values()) {
      try {
        set.trim(now, starving && !set.starving());
      } catch (RuntimeException e) {
        LOG.debug("Could not give idle clones of {} back", set.hash(), e);
      }
    }
  }

  /** Threads waiting for an admin connection: on a dead server, for the pool's connection timeout. */
  private boolean waitingForAdminConnections() {
    var bean = adminPool.getHikariPoolMXBean();
    return bean != null && bean.getThreadsAwaitingConnection() > 0;
  }

  /**
   * Whether the server is gone, checked now (for a caller that just saw a failure): marks this
   * session dead if so. {@code connectionLost}: the caller's connection broke, so the server is
   * probably on its way out; it is given {@link #DEATH_GRACE_NANOS} to be seen gone (a postmaster
   * told to quit ends its sessions before it exits itself).
   */
  boolean serverDied(boolean connectionLost) {
    long deadline = System.nanoTime() + (connectionLost ? DEATH_GRACE_NANOS : 0);
    while (death == null) {
      if (!watch.isRunning(true)) {
        died(watch.deathNotice());
      } else if (System.nanoTime() - deadline >= 0) {
        return false;
      } else {
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return true;
  }

  /** {@link #serverDied(boolean)} for a failure that is not known to be a lost connection. */
  boolean serverDied() {
    return serverDied(false);
  }

  /** Whether a failure is a connection PostgreSQL or the network ended (SQLSTATE classes 08 and 57P). */
  static boolean isConnectionLoss(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null
          && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
        return true;
      }
    }
    return false;
  }

  /** Why the server died, or null while it runs (or this session never saw it die). */
  String death() {
    return death;
  }

  private void throwIfDead() {
    if (closed) {
      throw new UnableToLeaseDatabaseException("This pgisolated pool is closed.");
    }
    if (death != null) {
      throw new PostgresServerDiedException(death);
    }
  }

  /**
   * The server is gone: fence this session off first (its admin pool and claims session, so that
   * nothing it still does can reach a server restarted meanwhile on the same port), then wake the
   * leases waiting for clones, which fail with the death notice.
   */
  private synchronized void died(String notice) {
    if (death != null || closed) {
      return;
    }
    death = notice;
    LOG.error("{}. The tests holding its databases fail; the next lease starts a new server.", notice);
    adminPool.close();
    claims.close();
    warm.values().forEach(WarmClones::close);
  }

  /** The hash a template's databases are named after on this server (and, for a plain role, for this role). */
  String templateHash(TemplateDefinition template) {
    return hashes.computeIfAbsent(template, d -> TemplateHasher.hash(d, endpoint.majorVersion(), ownRole));
  }

  /**
   * The role pgisolated administers the server as, when that role is not a superuser; says once
   * what such a role can't do, since that shows only later, and then only as a warning.
   */
  private static Optional<String> plainRole(DatabaseAdmin admin, ServerEndpoint endpoint) {
    Optional<String> role;
    try {
      role = admin.currentRoleUnlessSuperuser();
    } catch (SQLException e) {
      // The server answered a moment ago (its probe), so this is unlikely. Taken for a superuser, a
      // plain role shares superusers' templates, whose tables it can't use: PostgreSQL's
      // "permission denied for table" then says so in its tests.
      LOG.warn("Could not read whether role {} on {} is a superuser ({}); taking it for one", endpoint.user(),
          endpoint, e.getMessage());
      return Optional.empty();
    }
    role.ifPresent(name -> LOG.info("Role {} is not a superuser: its templates are its own (other roles could clone "
        + "them but not use their tables), it drops only databases it owns, and it can end only its own sessions. "
        + "Grant it pg_signal_backend (GRANT pg_signal_backend TO {}) if other roles' sessions on its databases "
        + "must be ended too.", name, name));
    return role;
  }

  DatabaseAdmin admin() {
    return admin;
  }

  /** The pool of a template hash when this JVM is the coordinator, else null (for tests and reports). */
  PoolStatistics statistics(String hash) {
    CoordinatorPools pools = coordination.pools();
    return pools == null ? null : pools.statistics(hash);
  }

  /**
   * For a timeout message: the coordinator's pool of a template, its state and why it is short of
   * clones, ending with what to change.
   */
  String coordinatorShortage(String hash) {
    CoordinatorPools pools = coordination.pools();
    String state = pools == null ? null : pools.shortage(hash);
    return (state == null ? "The coordinator is another JVM; its pool's state is in its log."
        : "The coordinator's pool: " + state)
        // Short of disk, a bigger pool is the wrong advice: the state says what to lower.
        + (pools != null && pools.shortOfSpace() ? " Or raise pgisolated.lease-timeout, or check"
            : " Raise pgisolated.pool.max-size (now " + config.poolMaxSize() + ") or pgisolated.lease-timeout, or check")
        + " that tests give their databases back: a lease that is never closed keeps its clone.";
  }

  /** What this JVM's pool did so far (the run report's figures). */
  RunReport report() {
    return report;
  }

  /**
   * Takes part in the election now, without leasing: true when this JVM became (or is) the
   * coordinator. For the refill after a run, which only works when no run is going on.
   */
  boolean takeCoordination() {
    coordination.service(System.nanoTime() + config.leaseTimeout().toNanos());
    return coordination.isCoordinator();
  }

  /** Makes a template's pool now, when this JVM is the coordinator (see {@link CoordinatorPools#prepare}). */
  void preparePool(String hash) {
    CoordinatorPools pools = coordination.pools();
    if (pools != null) {
      pools.prepare(hash);
    }
  }

  /** Where the server keeps its data, when this JVM can see it. */
  Optional<java.nio.file.Path> dataDirectory() {
    return server.dataDirectory();
  }

  /** Whether this JVM is the elected coordinator (or its own, with coordination off). */
  boolean isCoordinator() {
    return coordination.isCoordinator();
  }

  ServerEndpoint endpoint() {
    return endpoint;
  }

  PostgresServer server() {
    return server;
  }

  /**
   * Closes in the order that lets another JVM take over cleanly: the clones this JVM keeps go back
   * (as they are: they are clean), pending give-backs finish, then the coordinator's socket closes
   * (its clients start electing), then the claims session (which frees this JVM's databases for the
   * successor), and only then the election lock.
   */
  void close() {
    if (death != null) {
      closeAfterDeath();
      return;
    }
    if (closed) {
      return;
    }
    closed = true;
    trimmer.shutdownNow();
    warm.values().forEach(WarmClones::close);
    held.close();
    shutdown(resetters);
    // Requests may wait on the coordinator for long: interrupt them, and let them finish (giving
    // back what they got, through the closer) before the closer stops taking work.
    requests.shutdownNow();
    awaitTermination(requests);
    shutdown(closer);
    if (config.report() && (report.leases().count() > 0 || report.builds().count() > 0)) {
      LOG.info(report.format("JVM " + holder.pid() + (coordination.isCoordinator() ? ", the coordinator" : "")));
    }
    // What the next run would miss, read before the pools close (with this JVM's clones back in them).
    CoordinatorPools pools = coordination.pools();
    Map<String, Integer> shortfalls = pools == null || coordination.directory() == null || !config.poolRefill()
        ? Map.of() : pools.shortfalls();
    coordination.close();
    shutdown(workers);
    templates.close();
    claims.close();
    coordination.releaseLock();
    adminPool.close();
    server.close();
    if (!shortfalls.isEmpty()) {
      // After the lock is released: the refill becomes the coordinator once nobody else is.
      java.util.ServiceLoader.load(AfterRun.class, PoolEngine.class.getClassLoader())
          .forEach(after -> after.ended(config, coordination.directory().directory(), shortfalls));
    }
  }

  /**
   * Ends a dead session without waiting on the server: nothing goes back to a pool, no report, no
   * refill. Clones this JVM held are for the next coordinator to find (as any dead JVM's are).
   */
  void closeAfterDeath() {
    if (closed) {
      return;
    }
    closed = true;
    trimmer.shutdownNow();
    requests.shutdownNow();
    resetters.shutdownNow();
    held.close();
    coordination.close();
    workers.shutdownNow();
    closer.shutdownNow();
    templates.close();
    coordination.releaseLock();
    server.close();
  }

  private static void shutdown(ExecutorService executor) {
    executor.shutdown();
    if (!awaitTermination(executor)) {
      executor.shutdownNow();
    }
  }

  private static boolean awaitTermination(ExecutorService executor) {
    try {
      return executor.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      executor.shutdownNow();
      return false;
    }
  }

  private static ThreadPoolExecutor daemonPool(String prefix, int threads) {
    ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        daemonThreads(prefix));
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  private static ThreadFactory daemonThreads(String prefix) {
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
}
