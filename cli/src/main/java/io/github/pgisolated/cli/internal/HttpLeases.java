package io.github.pgisolated.cli.internal;

import io.github.pgisolated.core.UnableToLeaseDatabaseException;
import io.github.pgisolated.core.internal.coordinator.CoordinatorUnavailableException;
import io.github.pgisolated.core.internal.engine.ClientLease;
import io.github.pgisolated.core.internal.engine.PoolEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The test databases handed out over the IntegreSQL API, by template and id (the clone's index,
 * {@code pgisolated_<hash>_0007} is id 7), until their client gives them back.
 *
 * <p>IntegreSQL's clients often never give a database back (go-starter only connects and
 * disconnects; IntegreSQL recycles such databases in FIFO order once its pool is full). So do we,
 * but more carefully than IntegreSQL v1.1 (its issue #17: a database handed out and not yet
 * connected to was recycled under its client). {@link #sweep} recycles a database its client has
 * not given back, oldest first, only when
 * <ul>
 *   <li>callers are waiting for a database of that template, and</li>
 *   <li>it is older than the minimal lifetime ({@code INTEGRESQL_TEST_DB_MINIMAL_LIFETIME_MS}), and</li>
 *   <li>its client connected (seen by a sweep, or in the database's statistics) and has had no
 *       session for two sweeps in a row, or never connected within {@link #UNUSED_GRACE_NANOS};</li>
 * </ul>
 * and recreates any database held longer than the lease TTL, whatever its sessions.
 *
 * <p>Thread-safe: the map is concurrent, a give-back removes its entry first (so each lease is
 * given back exactly once), and the sweeps run on one thread.
 */
final class HttpLeases implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpLeases.class);
  private static final Pattern CLONE = Pattern.compile("pgisolated_([0-9a-f]{16})_([0-9]{4})");
  /** How long a database nobody ever connected to stays its client's while others wait. */
  static final long UNUSED_GRACE_NANOS = TimeUnit.SECONDS.toNanos(10);

  record Key(String hash, int id) {}

  /** One database out with a client. {@link #seenConnected} and {@link #idleSweeps} are the sweeper's. */
  static final class Held {
    final ClientLease lease;
    final long leasedNanos = System.nanoTime();
    boolean seenConnected;
    int idleSweeps;

    Held(ClientLease lease) {
      this.lease = lease;
    }
  }

  /**
   * What the sweeper sees of a database: its client's sessions now, and whether anyone has
   * connected to it since it was (re)created.
   */
  record Activity(int sessions, boolean everConnected) {
    static final Activity NONE = new Activity(0, false);
  }

  /** What became of a give-back. */
  enum GiveBack { GIVEN_BACK, NOT_HELD, UNKNOWN }

  private final PoolEngine engine;
  private final Duration minimalLifetime;
  private final Duration leaseTtl;
  private final Map<Key, Held> held = new ConcurrentHashMap<>();
  private final Set<Key> handedOut = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicInteger> waiting = new ConcurrentHashMap<>();
  private final AtomicInteger peak = new AtomicInteger();
  private final AtomicInteger recycled = new AtomicInteger();

  HttpLeases(PoolEngine engine, Duration minimalLifetime, Duration leaseTtl) {
    this.engine = engine;
    this.minimalLifetime = minimalLifetime;
    this.leaseTtl = leaseTtl;
  }

  /** Leases a clone of a finished template for a client; its id is the clone's index. */
  Key lease(String hash, Duration timeout) {
    AtomicInteger waiters = waiting.computeIfAbsent(hash, h -> new AtomicInteger());
    waiters.incrementAndGet();
    ClientLease lease;
    try {
      lease = engine.leaseBuilt(hash, timeout);
    } catch (UnableToLeaseDatabaseException | CoordinatorUnavailableException e) {
      throw new ApiException(503, "timeout when waiting for ready db: " + e.getMessage(), e);
    } finally {
      waiters.decrementAndGet();
    }
    Matcher m = CLONE.matcher(lease.database().databaseName());
    if (!m.matches()) {
      lease.giveBack(false);
      throw new ApiException(500, "the pool handed out " + lease.database().databaseName()
          + ", which is not a pgisolated clone name; this is a pgisolated bug");
    }
    Key key = new Key(hash, Integer.parseInt(m.group(2)));
    held.put(key, new Held(lease));
    handedOut.add(key);
    peak.accumulateAndGet(held.size(), Math::max);
    return key;
  }

  /** The database a key stands for, while it is out. */
  ClientLease get(Key key) {
    Held h = held.get(key);
    return h == null ? null : h.lease;
  }

  /**
   * Unlock ({@code unchanged}) or recreate. An id handed out before but not out now is a silent
   * success, as in IntegreSQL; one never handed out for this template is unknown.
   */
  GiveBack giveBack(Key key, boolean unchanged) {
    Held h = held.remove(key);
    if (h != null) {
      h.lease.giveBack(unchanged);
      return GiveBack.GIVEN_BACK;
    }
    return handedOut.contains(key) ? GiveBack.NOT_HELD : GiveBack.UNKNOWN;
  }

  /** A discarded template's databases go back (to be recreated, or dropped with it). */
  void endAll(String hash) {
    for (Key key : List.copyOf(held.keySet())) {
      if (key.hash().equals(hash)) {
        giveBack(key, false);
      }
    }
    handedOut.removeIf(k -> k.hash().equals(hash));
  }

  /**
   * One sweep (see the class comment), given what each database's client is doing
   * ({@code activity} of a name).
   */
  void sweep(Function<String, Activity> activity) {
    long now = System.nanoTime();
    List<Map.Entry<Key, Held>> candidates = new ArrayList<>();
    for (Map.Entry<Key, Held> e : held.entrySet()) {
      Held h = e.getValue();
      Activity seen = activity.apply(h.lease.database().databaseName());
      int n = seen.sessions();
      h.seenConnected |= n > 0 || seen.everConnected();
      if (n > 0) {
        h.idleSweeps = 0;
      } else {
        h.idleSweeps++;
      }
      long age = now - h.leasedNanos;
      if (age - leaseTtl.toNanos() > 0) {
        LOG.warn("{} was leased over the IntegreSQL API {} s ago and never given back: recreating it (lease TTL {} s)",
            h.lease.database().databaseName(), TimeUnit.NANOSECONDS.toSeconds(age), leaseTtl.toSeconds());
        recycle(e.getKey());
        continue;
      }
      boolean done = h.seenConnected ? h.idleSweeps >= 2 : age - UNUSED_GRACE_NANOS > 0;
      if (age - minimalLifetime.toNanos() > 0 && done && n == 0) {
        candidates.add(e);
      }
    }
    candidates.sort(Comparator.comparingLong(e -> e.getValue().leasedNanos));
    Map<String, Integer> budget = new java.util.HashMap<>();
    waiting.forEach((hash, count) -> budget.put(hash, count.get()));
    for (Map.Entry<Key, Held> e : candidates) {
      int left = budget.getOrDefault(e.getKey().hash(), 0);
      if (left > 0) {
        budget.put(e.getKey().hash(), left - 1);
        LOG.debug("Recycling {}: its client is done with it and another waits", e.getValue().lease.database().databaseName());
        recycle(e.getKey());
      }
    }
  }

  private void recycle(Key key) {
    if (giveBack(key, false) == GiveBack.GIVEN_BACK) {
      recycled.incrementAndGet();
    }
  }

  /** The names of the databases out with clients (for the sweeper's query). */
  List<String> databases() {
    return held.values().stream().map(h -> h.lease.database().databaseName()).toList();
  }

  int heldCount() {
    return held.size();
  }

  int peak() {
    return peak.get();
  }

  int recycled() {
    return recycled.get();
  }

  /** Ends every lease still out: they go back to the pool, to be recreated. */
  @Override
  public void close() {
    for (Key key : List.copyOf(held.keySet())) {
      giveBack(key, false);
    }
  }
}
