package io.github.pgisolated.core.internal.pool;

import com.zaxxer.hikari.HikariDataSource;
import io.github.pgisolated.core.DatabaseLease;
import io.github.pgisolated.core.PgIsolatedConfig;
import io.github.pgisolated.core.PgIsolatedException;
import io.github.pgisolated.core.PgIsolatedPool;
import io.github.pgisolated.core.TemplateBuildException;
import io.github.pgisolated.core.TemplateDefinition;
import io.github.pgisolated.core.UnableToLeaseDatabaseException;
import io.github.pgisolated.core.UnableToStartPostgresException;
import io.github.pgisolated.core.internal.server.PostgresServer;
import io.github.pgisolated.core.internal.server.ServerEndpoint;
import io.github.pgisolated.core.internal.server.Servers;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link PgIsolatedPool} of one JVM: a server, a template per hash and a {@link ClonePool}
 * per template, with one bounded executor doing all clone work.
 *
 * <p>A template is built at most once per JVM: the first thread to need it builds it (under the
 * cross-JVM claim, see {@link TemplateBuilder}) and every other thread waits on the same future,
 * so all of them see the same result, including the same build failure. A failed build stays
 * failed for the rest of this JVM's life; the next run rebuilds it.
 */
public final class PoolEngine implements PgIsolatedPool {
  private static final Logger LOG = LoggerFactory.getLogger(PoolEngine.class);

  private final PgIsolatedConfig config;
  private final PostgresServer server;
  private final ServerEndpoint endpoint;
  private final HikariDataSource adminPool;
  private final DatabaseAdmin admin;
  private final DatabaseClaims claims;
  private final ThreadPoolExecutor workers;
  private final TemplateBuilder builder;
  private final ExecutorService closer;
  private final Map<TemplateDefinition, String> hashes = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<ClonePool>> pools = new ConcurrentHashMap<>();
  private volatile boolean closed;

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
    AtomicInteger threads = new AtomicInteger();
    this.workers = new ThreadPoolExecutor(config.poolParallelTasks(), config.poolParallelTasks(), 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "pgisolated-worker-" + threads.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    this.workers.allowCoreThreadTimeOut(true);
    this.builder = new TemplateBuilder(endpoint, admin, claims);
    AtomicInteger closers = new AtomicInteger();
    this.closer = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "pgisolated-closer-" + closers.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts the configured server and a pool on it. */
  public static PoolEngine start(PgIsolatedConfig config) {
    long start = System.nanoTime();
    PostgresServer server = Servers.start(config);
    try {
      PoolEngine engine = new PoolEngine(config, server);
      LOG.info("pgisolated ready on {} in {} ms", server.endpoint(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      return engine;
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  @Override
  public DatabaseLease lease(TemplateDefinition template, Duration timeout) {
    if (closed) {
      throw new UnableToLeaseDatabaseException("This pgisolated pool is closed.");
    }
    long start = System.nanoTime();
    String hash = templateHash(template);
    ClonePool pool = poolFor(template, hash, start);
    ClonePool.Leased leased = pool.lease(System.nanoTime() + timeout.toNanos(), start);
    return new PooledLease(this, pool, leased, endpoint.database(leased.name()));
  }

  /** The hash a template's databases are named after on this server. */
  public String templateHash(TemplateDefinition template) {
    return hashes.computeIfAbsent(template, d -> TemplateHasher.hash(d, endpoint.majorVersion()));
  }

  private ClonePool poolFor(TemplateDefinition template, String hash, long start) {
    CompletableFuture<ClonePool> future = pools.get(hash);
    if (future == null) {
      CompletableFuture<ClonePool> mine = new CompletableFuture<>();
      future = pools.putIfAbsent(hash, mine);
      if (future == null) {
        future = mine;
        build(template, hash, mine, start + config.templateTimeout().toNanos());
      }
    }
    if (future.isDone() && !future.isCompletedExceptionally()) {
      return future.join();
    }
    try {
      return future.get(Math.max(0, start + config.templateTimeout().toNanos() - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof TemplateBuildException) {
        // A fresh exception per caller (with this caller's stack), same message and cause.
        throw new TemplateBuildException(cause.getMessage(), cause);
      }
      if (cause instanceof PgIsolatedException) {
        throw new UnableToLeaseDatabaseException(cause.getMessage(), cause);
      }
      throw new TemplateBuildException("Could not build template " + DatabaseNames.template(hash) + " ("
          + template.describe() + ") on " + endpoint + ": " + cause, cause);
    } catch (TimeoutException e) {
      throw new UnableToLeaseDatabaseException("Timed out after " + config.templateTimeout().toMillis()
          + " ms waiting for template " + DatabaseNames.template(hash) + " (" + template.describe()
          + ") to be built by another test in this JVM. Raise pgisolated.template-timeout if building takes longer.", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnableToLeaseDatabaseException("Interrupted while waiting for template " + DatabaseNames.template(hash), e);
    }
  }

  private void build(TemplateDefinition template, String hash, CompletableFuture<ClonePool> result, long deadline) {
    try {
      TemplateBuilder.Outcome outcome = builder.ensureReady(template, hash, deadline);
      if (!outcome.built()) {
        LOG.info("Reusing template {} ({}), checked in {} ms", DatabaseNames.template(hash), template.describe(),
            outcome.millis());
      }
      ClonePool pool = new ClonePool(hash, admin, claims, workers, config.poolInitialSize(), config.poolMaxSize(),
          endpoint::description);
      pool.start();
      result.complete(pool);
    } catch (SQLException e) {
      result.completeExceptionally(new TemplateBuildException("Could not build template "
          + DatabaseNames.template(hash) + " (" + template.describe() + ") on " + endpoint + ": " + e.getMessage(), e));
    } catch (RuntimeException | Error e) {
      result.completeExceptionally(e);
    }
  }

  HikariDataSource openDataSource(String database) {
    return DataSources.pool(endpoint, database, config.dataSourceMaxConnections(), "pgisolated-" + database,
        DatabaseAdmin.APPLICATION_NAME);
  }

  /** Runs slow clean-up (closing a lease's connection pool) off the test's thread. */
  void closeInBackground(Runnable task) {
    try {
      closer.execute(task);
    } catch (RejectedExecutionException closed) {
      task.run();
    }
  }

  DatabaseAdmin admin() {
    return admin;
  }

  /** The pool of a template hash, if this engine has one (for tests and the run report). */
  public PoolStatistics statistics(String hash) {
    CompletableFuture<ClonePool> future = pools.get(hash);
    return future == null || !future.isDone() || future.isCompletedExceptionally() ? null : future.join().statistics();
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

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    closer.shutdown();
    try {
      closer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pools.values().forEach(f -> f.thenAccept(ClonePool::close));
    workers.shutdown();
    try {
      if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      workers.shutdownNow();
    }
    claims.close();
    adminPool.close();
    server.close();
  }
}
