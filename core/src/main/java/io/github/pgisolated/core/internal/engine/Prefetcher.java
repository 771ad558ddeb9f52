package io.github.pgisolated.core.internal.engine;

import io.github.pgisolated.core.internal.db.DatabaseNames;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this JVM's next lease of each template it uses ready, with a warm connection.
 *
 * <p>A lease from the coordinator costs a round trip (a socket round trip from another JVM), and a
 * test's first connection to a fresh database costs several milliseconds (TCP, password login,
 * backend start). Both are paid here, in the background, right after a test takes its database,
 * while that test runs; the next test takes a lease whose data source already holds an open
 * connection. A test that arrives while the prefetch is still under way waits for it
 * ({@link #take}): in a pool with no clone to spare the prefetch may hold the very clone the test
 * needs, so the two must never compete. The cost: each JVM holds one clone per template ahead of
 * need.
 *
 * <p>Thread-safe: one slot per template hash, holding the future of the next lease; a future is
 * taken by exactly one caller (getAndSet), and a lease that nobody takes is given back.
 */
final class Prefetcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Prefetcher.class);

  private final Function<String, PooledLease> leaser;
  private final ExecutorService executor;
  private final Map<String, AtomicReference<CompletableFuture<PooledLease>>> slots = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /**
   * @param leaser leases a database of a template hash from the coordinator (with its holder lock)
   * @param executor where prefetching runs
   */
  Prefetcher(Function<String, PooledLease> leaser, ExecutorService executor) {
    this.leaser = leaser;
    this.executor = executor;
  }

  /**
   * The prefetched lease of this template, waiting at most {@code waitNanos} for one under way;
   * null when there is none (then the caller leases as usual).
   */
  PooledLease take(String hash, long waitNanos) {
    AtomicReference<CompletableFuture<PooledLease>> slot = slots.get(hash);
    CompletableFuture<PooledLease> next = slot == null ? null : slot.getAndSet(null);
    if (next == null) {
      return null;
    }
    try {
      return next.get(waitNanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException late) {
      // Not worth waiting for: keep it for the next test, or give it back if another is there.
      next.thenAccept(lease -> offer(slot, lease));
      return null;
    } catch (ExecutionException failed) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      next.thenAccept(lease -> offer(slot, lease));
      return null;
    }
  }

  /** Starts fetching the next lease of this template, unless one is ready or under way. */
  void refill(String hash) {
    AtomicReference<CompletableFuture<PooledLease>> slot = slots.computeIfAbsent(hash, h -> new AtomicReference<>());
    if (closed || slot.get() != null) {
      return;
    }
    CompletableFuture<PooledLease> next = new CompletableFuture<>();
    if (!slot.compareAndSet(null, next)) {
      return;
    }
    try {
      executor.execute(() -> {
        try {
          PooledLease lease = leaser.apply(hash);
          warmUp(lease);
          next.complete(lease);
        } catch (RuntimeException e) {
          // A test that needs a database leases it itself, and reports what fails.
          LOG.debug("Could not prefetch a database of template {}", DatabaseNames.template(hash), e);
          slot.compareAndSet(next, null);
          next.completeExceptionally(e);
        }
      });
    } catch (RejectedExecutionException shutDown) {
      slot.compareAndSet(next, null);
      next.completeExceptionally(shutDown);
    }
  }

  private void offer(AtomicReference<CompletableFuture<PooledLease>> slot, PooledLease lease) {
    if (closed || !slot.compareAndSet(null, CompletableFuture.completedFuture(lease))) {
      lease.release();
    }
  }

  /**
   * Opens the connection the next test will get. (Warming the backend's caches on every table as
   * well was measured: it made the prefetch slower than a short test, so tests waited for it, and
   * the tests' work got no faster.)
   */
  private static void warmUp(PooledLease lease) {
    try (Connection connection = lease.dataSource().getConnection()) {
      connection.isValid(1);
    } catch (SQLException e) {
      LOG.debug("Could not warm up a connection to {}", lease.database().databaseName(), e);
    }
  }

  /** Gives every prefetched lease back (those still under way, once they arrive). */
  @Override
  public void close() {
    closed = true;
    for (AtomicReference<CompletableFuture<PooledLease>> slot : slots.values()) {
      CompletableFuture<PooledLease> next = slot.getAndSet(null);
      if (next != null) {
        next.thenAccept(PooledLease::release);
      }
    }
  }
}
