package io.github.pgisolated.cli.internal;

import io.github.pgisolated.core.internal.db.DataSources;
import io.github.pgisolated.core.internal.db.DatabaseAdmin;
import io.github.pgisolated.core.internal.db.DatabaseClaims;
import io.github.pgisolated.core.internal.db.DatabaseNames.Kind;
import io.github.pgisolated.core.internal.db.DatabaseNames;
import io.github.pgisolated.core.internal.server.ServerEndpoint;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * pgmanager's pool: {@code count} databases named {@code <prefix>0} … {@code <prefix>N-1}, as
 * pgmanager names them, handed out front first and put back at the end (its "round-robin"). Unlike
 * pgmanager's, each is a clone of the template and is recreated from it after every lease, so a
 * client always gets it clean.
 *
 * <p>Ownership follows pgisolated's rules: this process claims every name (an advisory lock on a
 * session of its own, so a second server with the same prefix is refused and a dead one's claims
 * die with it); a database of such a name is dropped only if it carries pgisolated's clone marker.
 * A slot's state is one of: ready (in {@link #ready}), leased, or recreating (neither).
 *
 * <p>Concurrency: one lock guards the queue and the counters; the SQL of a recreation runs on a
 * worker, outside it. Waiters poll their client every 100 ms so that one that gave up while
 * waiting is noticed (pgmanager would hand it a database and leak it until EOF).
 */
final class PgManagerDatabases implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PgManagerDatabases.class);

  private final DatabaseAdmin admin;
  private final DatabaseClaims claims;
  private final String template;
  private final String marker;
  private final List<String> names;
  private final ExecutorService workers;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Deque<String> ready = new ArrayDeque<>();
  private int leased;
  private int peakLeased;
  private long waits;
  private long waitedNanos;
  private boolean closed;

  private PgManagerDatabases(ServerEndpoint server, DatabaseAdmin admin, String hash, String prefix, int count) {
    this.admin = admin;
    this.claims = new DatabaseClaims(() -> {
      try {
        return DataSources.connect(server, server.maintenanceDatabase());
      } catch (SQLException e) {
        throw new IllegalStateException("Could not open a pgisolated session on " + server + ": " + e, e);
      }
    });
    this.template = DatabaseNames.template(hash);
    this.marker = DatabaseNames.cloneMarker(hash);
    List<String> n = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      n.add(prefix + i);
    }
    this.names = List.copyOf(n);
    this.workers = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "pgisolated-pgmanager-recreate");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Claims the names and (re)creates every database from the template of {@code hash}, which
   * must be ready and used by this process.
   */
  static PgManagerDatabases start(ServerEndpoint server, DatabaseAdmin admin, String hash, String prefix, int count)
      throws SQLException {
    PgManagerDatabases pool = new PgManagerDatabases(server, admin, hash, prefix, count);
    try {
      for (String name : pool.names) {
        if (!pool.claims.tryClaim(name)) {
          throw new IllegalStateException("Database " + name + " is already served by another pgisolated process "
              + "(a serve, wrap or wrap-each with PGM_DATABASE_PREFIX=" + prefix + "). Stop it, or use another prefix.");
        }
      }
      for (String name : pool.names) {
        pool.recreate(name);
        pool.ready.addLast(name);
      }
      LOG.info("{} pgmanager database(s) {}0…{}{} cloned from {}", count, prefix, prefix, count - 1, pool.template);
      return pool;
    } catch (SQLException | RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  List<String> names() {
    return names;
  }

  /** Drops (if it is ours) and clones one database again. */
  private void recreate(String name) throws SQLException {
    Optional<String> comment = admin.commentOf(name);
    if (comment.isPresent()) {
      boolean ours = DatabaseNames.parse(comment.get()).filter(m -> m.kind() == Kind.CLONE).isPresent();
      if (!ours) {
        throw new IllegalStateException("Database " + name + " exists and is not pgisolated's (its comment is '"
            + comment.get() + "'); pgisolated never drops what it did not create. Drop it yourself (as pgmanager "
            + "users do with wrap-each -ix -- dropdb), or pick another PGM_DATABASE_PREFIX.");
      }
      admin.drop(name);
    }
    admin.cloneFrom(template, name, marker);
  }

  /**
   * The front database, now leased; waits (as pgmanager does, without a timeout) until one is
   * ready, or returns null once {@code gaveUp} says the client is gone, or the pool closes.
   */
  String acquire(BooleanSupplier gaveUp) {
    long start = System.nanoTime();
    boolean waited = false;
    lock.lock();
    try {
      while (!closed) {
        String name = ready.pollFirst();
        if (name != null) {
          leased++;
          peakLeased = Math.max(peakLeased, leased);
          if (waited) {
            waits++;
            waitedNanos += System.nanoTime() - start;
          }
          return name;
        }
        waited = true;
        lock.unlock();
        try {
          if (gaveUp.getAsBoolean()) {
            return null;
          }
        } finally {
          lock.lock();
        }
        changed.await(100, TimeUnit.MILLISECONDS);
      }
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } finally {
      lock.unlock();
    }
  }

  /** Takes a database back: recreated from the template, then put at the end of the queue. */
  void release(String name) {
    lock.lock();
    try {
      leased--;
      if (closed) {
        return;
      }
    } finally {
      lock.unlock();
    }
    workers.execute(() -> {
      for (int attempt = 1; ; attempt++) {
        try {
          recreate(name);
          break;
        } catch (SQLException | RuntimeException e) {
          if (attempt == 3 || isClosed()) {
            LOG.error("Could not recreate {} after {} attempts; it leaves the pool until the next start", name, attempt, e);
            return;
          }
          LOG.warn("Could not recreate {}; retrying", name, e);
          sleep(200L * attempt);
        }
      }
      lock.lock();
      try {
        ready.addLast(name);
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    });
  }

  private boolean isClosed() {
    lock.lock();
    try {
      return closed;
    } finally {
      lock.unlock();
    }
  }

  /** pgmanager's summary line: peak concurrent leases and time spent waiting. */
  String summary() {
    lock.lock();
    try {
      return "pgmanager databases: peak " + peakLeased + " of " + names.size() + " leased at once, " + waits
          + " lease(s) waited, " + TimeUnit.NANOSECONDS.toMillis(waitedNanos) + " ms waited in all";
    } finally {
      lock.unlock();
    }
  }

  /** Stops handing out; the databases stay (marked) for the next start, which recreates them. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    workers.shutdown();
    try {
      workers.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    claims.close();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
