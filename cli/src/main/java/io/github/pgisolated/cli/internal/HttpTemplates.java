package io.github.pgisolated.cli.internal;

import io.github.pgisolated.core.internal.db.DatabaseNames;
import io.github.pgisolated.core.internal.template.ClientTemplates;
import io.github.pgisolated.core.internal.template.ClientTemplates.Begun;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The templates made over the IntegreSQL API, by client hash, and their states:
 * <pre>
 *   (none) --POST--> INIT --PUT--> READY --DELETE--> (none; GET answers 410 until the next POST)
 *                     |--DELETE, or not finalized within the init timeout--> (none; 410)
 *   (none) --POST, GET: a ready template of that hash already on the server--> READY
 * </pre>
 *
 * <p><b>Hashes.</b> IntegreSQL hashes are any string a client chooses; pgisolated's are 16 hex
 * digits. A client hash maps to the first 16 hex digits of SHA-256({@code "integresql:" + hash}),
 * so that the next run (or another serve) finds the same template and reuses it. After a discard
 * the same client hash maps to a new pgisolated hash ({@code "integresql:" + hash + "#" + n}): the
 * coordinator may still hold ready clones of the discarded one, which must never be handed out
 * for the new contents.
 *
 * <p><b>Concurrency.</b> One lock guards the map; the database work of a transition (a few quick
 * statements in {@link ClientTemplates}) runs under it, so transitions of one template are never
 * interleaved. Waiters for a finalize wait on its condition, which every transition signals.
 */
final class HttpTemplates implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpTemplates.class);
  private static final long BUSY_RETRY_NANOS = TimeUnit.SECONDS.toNanos(3);

  enum State { INIT, READY }

  /** One tracked template. Fields are guarded by the lock. */
  static final class Entry {
    final String clientHash;
    final String hash;
    State state = State.INIT;
    long initDeadline;

    Entry(String clientHash, String hash) {
      this.clientHash = clientHash;
      this.hash = hash;
    }
  }

  private final ClientTemplates store;
  private final Duration initTimeout;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Map<String, Entry> entries = new HashMap<>();
  private final Map<String, Integer> discards = new HashMap<>();
  /** Client hashes discarded (or timed out) and not initialized since, with why: GET answers 410. */
  private final Map<String, String> gone = new HashMap<>();

  HttpTemplates(ClientTemplates store, Duration initTimeout) {
    this.store = store;
    this.initTimeout = initTimeout;
  }

  /** The pgisolated hash of a client hash, as it is now. */
  String hashOf(String clientHash) {
    lock.lock();
    try {
      return unsafeHashOf(clientHash);
    } finally {
      lock.unlock();
    }
  }

  private String unsafeHashOf(String clientHash) {
    int n = discards.getOrDefault(clientHash, 0);
    return mapHash(clientHash, n);
  }

  static String mapHash(String clientHash, int discards) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] digest = sha.digest(("integresql:" + clientHash + (discards == 0 ? "" : "#" + discards))
          .getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  /**
   * POST: the entry this caller must build (200), or null when the template is already
   * initialized, being initialized, or ready on the server (423).
   */
  Entry initialize(String clientHash) {
    lock.lock();
    try {
      if (entries.containsKey(clientHash)) {
        return null;
      }
      Entry entry = new Entry(clientHash, unsafeHashOf(clientHash));
      long deadline = System.nanoTime() + BUSY_RETRY_NANOS;
      while (true) {
        Begun begun = store.begin(entry.hash);
        if (begun == Begun.CREATED) {
          entry.initDeadline = System.nanoTime() + initTimeout.toNanos();
          entries.put(clientHash, entry);
          gone.remove(clientHash);
          LOG.info("Template {} (IntegreSQL hash {}) created for its client to migrate", DatabaseNames.template(entry.hash),
              clientHash);
          return entry;
        }
        if (begun == Begun.ALREADY_READY) {
          entry.state = State.READY;
          entries.put(clientHash, entry);
          gone.remove(clientHash);
          LOG.info("Template {} (IntegreSQL hash {}) is already ready on the server: reused", DatabaseNames.template(entry.hash),
              clientHash);
          changed.signalAll();
          return null;
        }
        if (System.nanoTime() - deadline > 0) {
          throw new ApiException(503, "template " + DatabaseNames.template(entry.hash) + " (hash " + clientHash
              + ") is being built or collected by another pgisolated process; try again shortly");
        }
        changed.await(50, TimeUnit.MILLISECONDS);
      }
    } catch (SQLException e) {
      throw new ApiException(503, "could not initialize the template of hash " + clientHash + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(503, "interrupted while initializing hash " + clientHash, e);
    } finally {
      lock.unlock();
    }
  }

  /** PUT: finalizes a template in INIT; a READY one is left as it is. */
  void finalizeTemplate(String clientHash) {
    lock.lock();
    try {
      Entry entry = entries.get(clientHash);
      if (entry == null) {
        throw new ApiException(404, "template not found");
      }
      if (entry.state == State.INIT) {
        try {
          store.finish(entry.hash);
        } catch (SQLException e) {
          entries.remove(clientHash);
          gone.put(clientHash, "its finalize failed: " + e.getMessage());
          changed.signalAll();
          throw new ApiException(500, "could not finalize template " + DatabaseNames.template(entry.hash) + ": "
              + e.getMessage(), e);
        }
        entry.state = State.READY;
        LOG.info("Template {} (IntegreSQL hash {}) finalized", DatabaseNames.template(entry.hash), clientHash);
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * DELETE: drops the template (tracked, or found on the server), and answers GET with 410 until
   * the hash is initialized again. Returns its pgisolated hash, so that its leases can be ended.
   */
  String discard(String clientHash) {
    lock.lock();
    try {
      Entry entry = entries.get(clientHash);
      String hash = entry != null ? entry.hash : unsafeHashOf(clientHash);
      boolean dropped;
      try {
        dropped = store.discard(hash);
      } catch (SQLException e) {
        throw new ApiException(500, "could not discard template " + DatabaseNames.template(hash) + ": " + e.getMessage(), e);
      }
      if (entry == null && !dropped) {
        throw new ApiException(404, "template not found");
      }
      entries.remove(clientHash);
      discards.merge(clientHash, 1, Integer::sum);
      gone.put(clientHash, "it was discarded");
      LOG.info("Template {} (IntegreSQL hash {}) discarded", DatabaseNames.template(hash), clientHash);
      changed.signalAll();
      return hash;
    } finally {
      lock.unlock();
    }
  }

  /** DELETE /admin/templates: discards every tracked template; their pgisolated hashes. */
  List<String> discardAll() {
    lock.lock();
    try {
      return List.copyOf(new TreeMap<>(entries).keySet()).stream().map(this::discard).toList();
    } finally {
      lock.unlock();
    }
  }

  /**
   * GET, unlock, recreate: the ready entry of a client hash, waiting until the deadline while it
   * is being initialized. A hash not tracked here whose template is ready on the server (an
   * earlier serve's, or another process's) is taken up.
   *
   * @throws ApiException 404 (unknown), 410 (discarded, or never finalized), 503 (still not finalized at the deadline)
   */
  Entry awaitReady(String clientHash, long deadlineNanos) {
    lock.lock();
    try {
      while (true) {
        Entry entry = entries.get(clientHash);
        if (entry == null) {
          String why = gone.get(clientHash);
          if (why != null) {
            throw new ApiException(410, "template was just discarded: " + why);
          }
          Entry found = new Entry(clientHash, unsafeHashOf(clientHash));
          if (store.useIfReady(found.hash)) {
            found.state = State.READY;
            entries.put(clientHash, found);
            return found;
          }
          throw new ApiException(404, "template not found");
        }
        if (entry.state == State.READY) {
          return entry;
        }
        long remaining = deadlineNanos - System.nanoTime();
        if (remaining <= 0) {
          throw new ApiException(503, "template " + DatabaseNames.template(entry.hash) + " (hash " + clientHash
              + ") was not finalized in time; its client is still migrating it, or died (then it is marked failed "
              + "after the template init timeout)");
        }
        changed.awaitNanos(remaining);
      }
    } catch (SQLException e) {
      throw new ApiException(503, "could not look up the template of hash " + clientHash + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(503, "interrupted while waiting for hash " + clientHash, e);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Marks templates whose client never finalized them within the init timeout as failed, so that
   * nobody waits for them (their waiters get 410) and the next POST builds them again.
   */
  void expireAbandoned() {
    lock.lock();
    try {
      long now = System.nanoTime();
      for (Entry entry : List.copyOf(entries.values())) {
        if (entry.state == State.INIT && now - entry.initDeadline > 0) {
          String why = "its client did not finalize it within " + initTimeout.toSeconds() + " s";
          LOG.warn("Template {} (IntegreSQL hash {}): {}; marked failed, the next POST builds it again",
              DatabaseNames.template(entry.hash), entry.clientHash, why);
          try {
            store.fail(entry.hash, "The IntegreSQL client that initialized it did not finalize it within "
                + initTimeout.toSeconds() + " s.");
          } catch (SQLException | RuntimeException e) {
            LOG.warn("Could not mark {} failed; it stays half-built and is dropped later", entry.hash, e);
          }
          entries.remove(entry.clientHash);
          gone.put(entry.clientHash, why);
          changed.signalAll();
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Client hash to pgisolated hash and state, for status output and logs. */
  Map<String, String> describe() {
    lock.lock();
    try {
      Map<String, String> result = new TreeMap<>();
      entries.forEach((client, e) -> result.put(client, DatabaseNames.template(e.hash) + " " + e.state.name().toLowerCase()));
      return result;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      entries.clear();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    store.close();
  }
}
