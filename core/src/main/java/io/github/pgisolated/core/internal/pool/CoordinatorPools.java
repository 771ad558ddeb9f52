package io.github.pgisolated.core.internal.pool;

import io.github.pgisolated.core.PgIsolatedConfig;
import io.github.pgisolated.core.UnableToLeaseDatabaseException;
import io.github.pgisolated.core.internal.coordinator.CoordinatorUnavailableException;
import io.github.pgisolated.core.internal.coordinator.LeaseRefusedException;
import io.github.pgisolated.core.internal.coordinator.LeaseService;
import io.github.pgisolated.core.internal.coordinator.LeaseService.Disposition;
import io.github.pgisolated.core.internal.db.DatabaseAdmin;
import io.github.pgisolated.core.internal.db.DatabaseClaims;
import io.github.pgisolated.core.internal.db.DatabaseNames;
import io.github.pgisolated.core.internal.db.DatabaseNames.Kind;
import io.github.pgisolated.core.internal.db.DatabaseNames.Marker;
import io.github.pgisolated.core.internal.report.RunReport;
import io.github.pgisolated.core.internal.space.SpaceAdvice;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clone pools of the coordinator: one {@link ClonePool} per finished template, shared by every
 * JVM of the build (the others reach it through the coordinator's socket).
 *
 * <p>Its state is rebuilt from PostgreSQL, never taken on trust: a pool is created the first time
 * a template is asked for, after checking the template's ready marker, and it adopts the marked
 * clones it finds (from an earlier run, or from a coordinator that died) as UNKNOWN; the
 * {@link OrphanResolver} then tells running tests' clones (which their holders re-claim) from
 * orphans (which are recreated).
 *
 * <p>Thread-safe: pools are created under {@link #pools}'s per-key lock; everything else is the
 * pools' own business.
 */
public final class CoordinatorPools implements LeaseService, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CoordinatorPools.class);
  private static final Pattern HASH = Pattern.compile("[0-9a-f]{16}");
  private static final Pattern CLONE = Pattern.compile("pgisolated_([0-9a-f]{16})_([0-9]{4})");
  /** Clones another pool still claims are looked at again for this long (60 × 500 ms). */
  private static final int ADOPTION_RETRIES = 60;
  private static final long ADOPTION_RETRY_MILLIS = 500;

  private final DatabaseAdmin admin;
  private final DataSource adminPool;
  private final DatabaseClaims claims;
  private final Executor workers;
  private final PgIsolatedConfig config;
  private final Supplier<String> serverDescription;
  private final boolean afterUncleanTakeover;
  private final RunReport report;
  private final Map<String, ClonePool> pools = new ConcurrentHashMap<>();
  private final Capacity capacity;
  private final AtomicBoolean makingRoom = new AtomicBoolean();
  private final UsedClones used;
  private final CleanStamps stamps;
  private final PoolServices services;
  private volatile boolean closed;

  /**
   * @param afterUncleanTakeover the previous coordinator died without cleaning up: adopted clones
   *     are only called orphans once that has been confirmed (see {@link OrphanResolver})
   * @param space where the server keeps its data (when visible) and what to change when it is full
   * @param freeOldTemplates drops the templates nobody uses, returning the bytes freed: run when
   *     the disk is full (see {@link SpaceShortage})
   */
  public CoordinatorPools(DatabaseAdmin admin, DataSource adminPool, DatabaseClaims claims, Executor workers,
      PgIsolatedConfig config, Supplier<String> serverDescription, boolean afterUncleanTakeover, RunReport report,
      SpaceAdvice space, LongSupplier freeOldTemplates) {
    this.report = report;
    this.afterUncleanTakeover = afterUncleanTakeover;
    this.capacity = new Capacity(config.poolMaxDatabases());
    this.admin = admin;
    this.adminPool = adminPool;
    this.claims = claims;
    this.workers = workers;
    this.config = config;
    this.serverDescription = serverDescription;
    this.used = new UsedClones(admin, claims, workers, capacity, report,
        () -> pools.values().stream().anyMatch(ClonePool::busy));
    this.stamps = new CleanStamps(admin, adminPool, Clock.systemUTC());
    this.services = new PoolServices(admin, claims, workers, capacity, used,
        new CloneStrategies(admin.strategy(), admin.majorVersion()), report, serverDescription,
        new SpaceShortage(space, freeOldTemplates, workers, report));
  }

  @Override
  public Lease lease(String templateHash, Duration timeout, Holder holder) {
    long start = System.nanoTime();
    ClonePool pool = pool(templateHash);
    ClonePool.Leased leased = pool.lease(start + timeout.toNanos(), start);
    // A test that waited no longer does: the used clones may go now.
    used.dropWhenIdle();
    return new Lease(templateHash, leased.name(), leased.generation());
  }

  @Override
  public void giveBack(Lease lease) {
    giveBack(lease, Disposition.DIRTY);
  }

  @Override
  public void giveBack(Lease lease, Disposition disposition) {
    Matcher m = CLONE.matcher(lease.database());
    ClonePool pool = pools.get(lease.templateHash());
    if (m.matches() && pool != null) {
      pool.giveBack(Integer.parseInt(m.group(2)), (int) lease.generation(), disposition);
    }
  }

  /**
   * A pool has waiters but the global cap stops it from growing: take a ready clone from the
   * pool that has gone longest without a lease. One search at a time; it runs on a worker, never
   * under a pool's lock, so no two pool locks are ever held together.
   */
  private void makeRoom(ClonePool needy) {
    if (!makingRoom.compareAndSet(false, true)) {
      return;
    }
    workers.execute(() -> {
      try {
        ClonePool victim = null;
        for (ClonePool candidate : pools.values()) {
          if (candidate != needy && candidate.hasReady()
              && (victim == null || candidate.lastLeaseNanos() - victim.lastLeaseNanos() < 0)) {
            victim = candidate;
          }
        }
        if (victim != null && victim.shrinkOne()) {
          LOG.debug("Took a clone of {} to make room for {}", DatabaseNames.template(victim.hash()),
              DatabaseNames.template(needy.hash()));
        }
      } finally {
        makingRoom.set(false);
      }
      needy.start();
    });
  }

  @Override
  public Lease reclaim(String database, Holder holder) {
    Matcher m = CLONE.matcher(database);
    if (!m.matches()) {
      throw new LeaseRefusedException("Cannot re-claim " + database + ": not the name of a pgisolated clone.");
    }
    ClonePool pool = pool(m.group(1));
    int index = Integer.parseInt(m.group(2));
    ClonePool.Leased leased = pool.reclaim(index);
    if (leased == null) {
      // Its claim may not be free yet: the dead coordinator's session can take a moment to end.
      adoptExisting(pool, m.group(1));
      leased = pool.reclaim(index);
    }
    if (leased == null) {
      throw new LeaseRefusedException("Cannot re-claim " + database + " for " + holder.name()
          + ": the coordinator does not hold it as a clone whose holder is unknown (" + pool.statistics() + ").");
    }
    LOG.info("{} re-claimed {} after a coordinator takeover", holder.name(), database);
    return new Lease(m.group(1), leased.name(), leased.generation());
  }

  /** The pool of a template, created (adopting what PostgreSQL holds) on first use. */
  private ClonePool pool(String hash) {
    if (!HASH.matcher(hash).matches()) {
      throw new LeaseRefusedException("'" + hash + "' is not a template hash (16 lower-case hex characters).");
    }
    if (closed) {
      // Retryable: the caller elects the next coordinator and asks it.
      throw new CoordinatorUnavailableException("The pgisolated coordinator is shutting down.");
    }
    ClonePool existing = pools.get(hash);
    if (existing != null) {
      return existing;
    }
    return pools.computeIfAbsent(hash, this::create);
  }

  private ClonePool create(String hash) {
    String template = DatabaseNames.template(hash);
    Marker marker;
    try {
      marker = admin.commentOf(template).flatMap(DatabaseNames::parse)
          .filter(m -> m.kind() == Kind.TEMPLATE_READY && m.hash().equals(hash)).orElseThrow(() ->
              new LeaseRefusedException("Template " + template + " is not finished on " + serverDescription.get()
                  + "; it must be built (and marked ready) before clones are leased."));
    } catch (SQLException e) {
      throw new UnableToLeaseDatabaseException("Could not check template " + template + " on "
          + serverDescription.get() + ": " + e.getMessage(), e);
    }
    // The last run's peak, when recorded: the pool starts with that many clones, not just initial-size.
    int floor = marker.demand().map(DatabaseNames.Demand::peak).orElse(0);
    ClonePool[] self = new ClonePool[1];
    ClonePool pool = new ClonePool(hash, services, config.poolInitialSize(), floor, config.poolMaxSize(),
        config.poolParallelTasks(), () -> makeRoom(self[0]));
    self[0] = pool;
    adoptExisting(pool, hash);
    pool.start();
    return pool;
  }

  /** Adopts every marked clone of the template that no other pool claims. */
  private void adoptExisting(ClonePool pool, String hash) {
    adoptExisting(pool, hash, 0);
  }

  /**
   * Adopts the marked clones of a template that no other pool claims, and comes back for those
   * it could not claim yet: after a coordinator is killed, PostgreSQL may take a moment to end its
   * session and free its claims.
   */
  private void adoptExisting(ClonePool pool, String hash, int attempt) {
    try {
      int adopted = 0;
      int clean = 0;
      int unclaimed = 0;
      for (Map.Entry<String, String> database : admin.databasesLike(DatabaseNames.likePattern(hash)).entrySet()) {
        Matcher m = CLONE.matcher(database.getKey());
        Optional<Marker> marker = DatabaseNames.parse(database.getValue());
        if (!m.matches() || marker.isEmpty() || marker.get().kind() != Kind.CLONE || !marker.get().hash().equals(hash)
            || pool.owns(Integer.parseInt(m.group(2)))) {
          continue;
        }
        if (claims.tryClaim(database.getKey())) {
          int index = Integer.parseInt(m.group(2));
          pool.adopt(index);
          if (marker.get().clean().isPresent() && cleanAsStamped(database.getKey(), marker.get())) {
            pool.adoptedClean(index);
            clean++;
          } else {
            adopted++;
          }
        } else {
          unclaimed++;
        }
      }
      if (clean > 0) {
        LOG.debug("Adopted {} clone(s) of {} left ready by the last run", clean, DatabaseNames.template(hash));
      }
      if (adopted > 0) {
        LOG.debug("Adopted {} existing clone(s) of {}", adopted, DatabaseNames.template(hash));
        new OrphanResolver(pool, claims, admin, adminPool, workers, () -> closed, afterUncleanTakeover).start();
      }
      if (unclaimed > 0 && attempt < ADOPTION_RETRIES && !closed) {
        CompletableFuture.delayedExecutor(ADOPTION_RETRY_MILLIS, TimeUnit.MILLISECONDS, workers)
            .execute(() -> adoptExisting(pool, hash, attempt + 1));
      }
    } catch (SQLException | RuntimeException e) {
      LOG.warn("Could not adopt the existing clones of {}; new ones will be created", DatabaseNames.template(hash), e);
    }
  }

  /**
   * Whether an adopted clone with a clean stamp is still as the last coordinator left it: nobody
   * holds it, and {@link CleanStamps#stillClean}. Its stamp is then taken off (it is about to be
   * leased); on any doubt it stays unknown and the resolver decides.
   */
  private boolean cleanAsStamped(String clone, Marker marker) {
    try (Connection c = adminPool.getConnection()) {
      if (!claims.heldByAnyone(List.of(clone), c).isEmpty() || !stamps.stillClean(clone, marker.clean().get())) {
        return false;
      }
      stamps.unstamp(marker.hash(), clone);
      return true;
    } catch (SQLException e) {
      LOG.debug("Could not check the clean stamp of {}; it is treated as dirty", clone, e);
      return false;
    }
  }

  /**
   * Makes a template's pool if there is none yet (adopting what the server holds, filling it to
   * the last run's demand), as a lease would, without leasing: for the refill after a run.
   */
  public void prepare(String hash) {
    pool(hash);
  }

  /**
   * What the next run would miss: per template whose pool has fewer ready clones than the last
   * run's peak, that peak. For the refill after a run.
   */
  public Map<String, Integer> shortfalls() {
    Map<String, Integer> shortfalls = new java.util.LinkedHashMap<>();
    pools.forEach((hash, pool) -> {
      int peak = pool.demand().peak();
      if (pool.statistics().ready() < peak) {
        shortfalls.put(hash, peak);
      }
    });
    return shortfalls;
  }

  /** A snapshot of one template's pool, or null. */
  public PoolStatistics statistics(String hash) {
    ClonePool pool = pools.get(hash);
    return pool == null ? null : pool.statistics();
  }

  /** A pool's state and why it is short of clones, if it is, for timeout messages; null without a pool. */
  public String shortage(String hash) {
    ClonePool pool = pools.get(hash);
    return pool == null ? null : pool.shortage();
  }

  /** Whether the pools found the disk full and stopped growing (see {@link SpaceShortage}). */
  public boolean shortOfSpace() {
    return services.space().isShort();
  }

  /** One line per pool, for STATUS requests and diagnostics. */
  public String status() {
    StringBuilder status = new StringBuilder("databases=").append(capacity.used()).append('/').append(capacity.limit())
        .append(" pools=").append(pools.size());
    pools.forEach((hash, pool) -> status.append(' ').append(hash).append('=').append(pool.statistics().toString()
        .replace(", ", "/").replace("=", ":")));
    return status.toString();
  }

  /**
   * Stops: no more leases, no more drops (used clones left are found and dropped by the next
   * coordinator), and, for the next run, the ready clones are stamped clean ({@link CleanStamps})
   * and each template's demand is written into its ready marker ({@link Demand}).
   */
  @Override
  public void close() {
    closed = true;
    used.close();
    pools.values().forEach(ClonePool::close);
    pools.forEach((hash, pool) -> {
      stamps.stamp(hash, pool.readyNames());
      recordDemand(hash, pool.demand());
    });
  }

  private void recordDemand(String hash, DatabaseNames.Demand demand) {
    if (demand.peak() == 0) {
      return;
    }
    String template = DatabaseNames.template(hash);
    try {
      Optional<Marker> ready = admin.commentOf(template).flatMap(DatabaseNames::parse).filter(m -> m.isReadyTemplateOf(hash));
      if (ready.isPresent() && ready.get().lineage().isPresent()) {
        Marker m = ready.get();
        admin.comment(template, DatabaseNames.readyMarker(hash, m.lineage().get(), m.used().orElse(Instant.now()),
            m.fingerprint(), Optional.of(demand)));
      }
    } catch (SQLException e) {
      LOG.debug("Could not record the demand of {}", template, e);
    }
  }
}
