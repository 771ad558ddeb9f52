package io.github.pgisolated.core.internal.db;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Which pool owns which database, across every JVM that shares a server.
 *
 * <p>A pool may only create, recreate, drop or hand out a database it has <em>claimed</em>: it
 * holds a PostgreSQL session-level advisory lock named after the database, on one connection
 * of its own. The claim dies with that connection, so when a JVM dies (even with SIGKILL) the
 * server releases its claims at once, and another pool may claim the databases, treat them as
 * dirty and recreate them. Two pools never touch the same database at the same time.
 *
 * <p>The same session also holds <em>holder</em> locks: a JVM that leases a database holds
 * {@code (HOLDER_CLASS_ID, hash of name)} until it gives the database back. A coordinator that
 * takes over from a dead one cannot know who holds what; a clone with a live holder lock belongs
 * to a running test (its JVM re-claims it), one without is an orphan and is recreated.
 *
 * <p>Locks use the two-key form {@code (class id, hash of name)}; a hash collision can only make
 * a free name look taken (then another index is used, or an orphan waits), never the reverse.
 *
 * <p>Thread-safe: the one connection is used under {@link #lock}, never while other locks are held.
 */
public final class DatabaseClaims implements AutoCloseable {
  /** "pgis" in ASCII: keeps our keys apart from an application's own advisory locks. */
  public static final int CLASS_ID = 0x70676973;
  /** "pgih": holder locks. */
  public static final int HOLDER_CLASS_ID = 0x70676968;

  private final Supplier<Connection> connector;
  private final ReentrantLock lock = new ReentrantLock();
  private final Set<String> held = new HashSet<>();
  private final Set<String> holding = new HashSet<>();
  private Connection connection;

  public DatabaseClaims(Supplier<Connection> connector) {
    this.connector = connector;
  }

  /** Claims a database name; false when another pool holds it. */
  public boolean tryClaim(String database) throws SQLException {
    return call("select pg_try_advisory_lock(?, ?)", CLASS_ID, held, database, true);
  }

  /** Gives a claim up (the database is no longer this pool's). */
  public void release(String database) throws SQLException {
    call("select pg_advisory_unlock(?, ?)", CLASS_ID, held, database, false);
  }

  /**
   * Gives up every claim on a name the filter accepts, keeping holder locks: a coordinator that
   * steps down while its JVM runs on lets the new coordinator adopt its clones, while this JVM's
   * tests still hold theirs.
   */
  public void releaseClaims(Predicate<String> which) throws SQLException {
    List<String> names;
    lock.lock();
    try {
      names = held.stream().filter(which).toList();
    } finally {
      lock.unlock();
    }
    for (String name : names) {
      release(name);
    }
  }

  /** Marks this JVM as the holder of a leased database; false if another session already is. */
  public boolean tryHold(String database) throws SQLException {
    return call("select pg_try_advisory_lock(?, ?)", HOLDER_CLASS_ID, holding, database, true);
  }

  /** This JVM no longer holds the database. */
  public void stopHolding(String database) throws SQLException {
    call("select pg_advisory_unlock(?, ?)", HOLDER_CLASS_ID, holding, database, false);
  }

  /**
   * Whether the session that holds this JVM's claims broke while it held some: the server died,
   * or restarted after one of its processes crashed, and took every claim with it. Without {@code
   * probe} cheap (no round trip: the driver marks a connection closed once it fails); with it, the
   * session is asked too (an idle session the server ended looks open until it is used).
   */
  public boolean isLost(boolean probe) {
    lock.lock();
    try {
      return connection != null && (!held.isEmpty() || !holding.isEmpty())
          && (connection.isClosed() || probe && !connection.isValid(1));
    } catch (SQLException e) {
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Which of these databases some live session (any JVM's, this one's included) holds as a
   * lease holder.
   */
  public Set<String> heldByAnyone(Collection<String> databases, Connection connection) throws SQLException {
    Set<String> result = new HashSet<>();
    try (PreparedStatement ps = connection.prepareStatement(
        "select objid::bigint from pg_locks where locktype = 'advisory' and classid = ?::bigint::oid and objsubid = 2 and granted")) {
      ps.setLong(1, Integer.toUnsignedLong(HOLDER_CLASS_ID));
      Set<Long> keys = new HashSet<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          keys.add(rs.getLong(1));
        }
      }
      for (String database : databases) {
        if (keys.contains(Integer.toUnsignedLong(key(database)))) {
          result.add(database);
        }
      }
    }
    return result;
  }

  private boolean call(String sql, int classId, Set<String> tracked, String database, boolean acquiring)
      throws SQLException {
    lock.lock();
    try {
      if (!acquiring && !tracked.contains(database)) {
        return false;
      }
      if (connection == null || connection.isClosed()) {
        if (!held.isEmpty() || !holding.isEmpty()) {
          // The session that held our claims is gone, and the claims with it: another pool may
          // already own those databases. Fail loudly rather than hand one out twice.
          throw new SQLException("The connection holding pgisolated's database claims was lost; "
              + held.size() + " databases can no longer be used safely by this JVM");
        }
        connection = connector.get();
      }
      try (PreparedStatement ps = connection.prepareStatement(sql)) {
        ps.setInt(1, classId);
        ps.setInt(2, key(database));
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          boolean result = rs.getBoolean(1);
          if (acquiring && result) {
            tracked.add(database);
          } else if (!acquiring) {
            tracked.remove(database);
          }
          return result;
        }
      }
    } finally {
      lock.unlock();
    }
  }

  public static int key(String database) {
    // FNV-1a: stable across JVMs and Java versions, unlike String.hashCode's contract.
    int h = 0x811c9dc5;
    for (byte b : database.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x01000193;
    }
    return h;
  }

  @Override
  public void close() {
    lock.lock();
    try {
      held.clear();
      holding.clear();
      if (connection != null) {
        connection.close();
      }
    } catch (SQLException ignored) {
      // The server releases the claims when the session ends either way.
    } finally {
      connection = null;
      lock.unlock();
    }
  }
}
