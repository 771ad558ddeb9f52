package io.github.pgisolated.core.internal.pool;

import io.github.pgisolated.core.PgIsolatedConfig.CloneStrategy;
import io.github.pgisolated.core.internal.db.DatabaseAdmin;
import io.github.pgisolated.core.internal.db.DatabaseClaims;
import io.github.pgisolated.core.internal.db.DatabaseNames;
import io.github.pgisolated.core.internal.db.DatabaseNames.Kind;
import io.github.pgisolated.core.internal.report.RunReport;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database work behind a {@link ClonePool}: claiming a new clone's name, cloning it from the
 * template, recreating used clones, dropping one to give room back. It runs on the shared
 * workers, never under the pool's lock; it tells the pool what happened through the pool's
 * transition methods ({@link ClonePool#beginRecreate}, {@link ClonePool#recreated},
 * {@link ClonePool#failed}, {@link ClonePool#forget}), which take the lock briefly.
 */
final class CloneRecycler {
  private static final Logger LOG = LoggerFactory.getLogger(CloneRecycler.class);
  private static final long SESSIONS_GONE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

  private final String hash;
  private final String templateName;
  private final DatabaseAdmin admin;
  private final DatabaseClaims claims;
  private final Executor workers;
  private final RunReport report;
  private final CloneStrategies strategies;
  private final SpaceShortage space;

  CloneRecycler(String hash, PoolServices services) {
    this.hash = hash;
    this.templateName = DatabaseNames.template(hash);
    this.admin = services.admin();
    this.claims = services.claims();
    this.workers = services.workers();
    this.report = services.report();
    this.strategies = services.strategies();
    this.space = services.space();
  }

  /** Claims a new index and clones into it; a name someone else owns is skipped, never touched. */
  void create(ClonePool pool, Clone clone) {
    workers.execute(() -> {
      try {
        if (!claims.tryClaim(clone.name)) {
          LOG.debug("{} is claimed by another pool; using another index", clone.name);
          pool.forget(clone);
          return;
        }
        Optional<String> comment = admin.commentOf(clone.name);
        if (comment.isPresent()) {
          boolean ours = DatabaseNames.parse(comment.get())
              .filter(m -> m.kind() == Kind.CLONE && m.hash().equals(hash)).isPresent();
          if (!ours) {
            LOG.warn("Leaving database {} alone: it looks like a pgisolated clone but is not marked as one", clone.name);
            claims.release(clone.name);
            pool.forget(clone);
            return;
          }
          // A clone an earlier run or a dead JVM left: its state is unknown, so it is dirty.
        }
        make(pool, clone, comment.isPresent());
      } catch (SQLException | RuntimeException e) {
        pool.failed(clone, e);
      }
    });
  }

  /** Drops and clones a dirty clone again, after a delay (a retry's backoff) or at once. */
  void recreate(ClonePool pool, Clone clone, long delayMillis) {
    Runnable task = () -> {
      try {
        make(pool, clone, true);
      } catch (SQLException | RuntimeException e) {
        pool.failed(clone, e);
      }
    };
    if (delayMillis <= 0) {
      workers.execute(task);
    } else {
      CompletableFuture.delayedExecutor(delayMillis, TimeUnit.MILLISECONDS, workers).execute(task);
    }
  }

  /**
   * Clones the template into the clone's name; drops what is there first when {@code exists} (a
   * leftover, or a clone whose last attempt failed halfway). New clones go to free names, so most
   * clones are made without a drop on their way.
   */
  private void make(ClonePool pool, Clone clone, boolean exists) throws SQLException {
    if (!pool.beginRecreate(clone)) {
      return;
    }
    long start = System.nanoTime();
    if (exists) {
      awaitSessionsGone(clone.name);
      admin.drop(clone.name);
    }
    CloneStrategy strategy = space.strategy(strategies.next());
    long cloneStart = System.nanoTime();
    admin.cloneFrom(templateName, clone.name, DatabaseNames.cloneMarker(hash), strategy);
    strategies.took(strategy, System.nanoTime() - cloneStart);
    report.recreations().add(System.nanoTime() - start);
    pool.recreated(clone);
  }

  /**
   * Waits, briefly, for the sessions of a clone its test just closed to end. DROP DATABASE checks
   * for other backends and, finding one still exiting, sleeps 100 ms before it looks again
   * (measured: drop q50 129 ms right after the sessions closed, max 26–44 ms after waiting for
   * them). Sessions that do not end by themselves (leaked ones) are terminated by the drop.
   */
  private void awaitSessionsGone(String database) throws SQLException {
    long deadline = System.nanoTime() + SESSIONS_GONE_WAIT_NANOS;
    while (admin.sessionsOn(database) > 0 && System.nanoTime() - deadline < 0) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Drops a clone that leaves the pool, and gives up its claim. */
  void dropAndRelease(String name) {
    try {
      admin.drop(name);
      space.freed();
    } catch (SQLException e) {
      LOG.warn("Could not drop clone {}; it stays, marked, for a later run", name, e);
    }
    releaseClaim(name);
  }

  /** Gives up the claim on a clone that is no longer the pool's. */
  void releaseClaim(String name) {
    try {
      claims.release(name);
    } catch (SQLException e) {
      LOG.debug("Could not release the claim on {}", name, e);
    }
  }
}
