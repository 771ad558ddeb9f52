package io.github.pgisolated.core.internal.template;

import io.github.pgisolated.core.internal.db.DatabaseClaims;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The templates this JVM uses, marked in PostgreSQL so that no other JVM drops or rebuilds them
 * under it: a <em>shared</em> session advisory lock on the template's claim key (see
 * {@link DatabaseClaims}), held on a session of its own until the pool closes (or the JVM dies).
 *
 * <p>A template is only ever changed under its exclusive claim (built, marked failed, dropped by
 * the {@link TemplateCollector}), and an exclusive claim can't be taken while anyone shares the
 * key: so while a JVM holds its share, a ready template stays ready. It must be a session apart
 * from the claims': PostgreSQL never lets a session's own locks block it.
 *
 * <p>Thread-safe: the one connection is used under {@link #lock}.
 */
final class TemplateUses implements AutoCloseable {
  private final Supplier<Connection> connector;
  private final ReentrantLock lock = new ReentrantLock();
  private final Set<String> shared = new HashSet<>();
  private Connection connection;
  private boolean closed;

  TemplateUses(Supplier<Connection> connector) {
    this.connector = connector;
  }

  /** Shares a template's key; false when someone holds its exclusive claim (builds or drops it). */
  boolean tryShare(String template) throws SQLException {
    lock.lock();
    try {
      if (shared.contains(template)) {
        return true;
      }
      boolean ok = call("select pg_try_advisory_lock_shared(?, ?)", template);
      if (ok) {
        shared.add(template);
      }
      return ok;
    } finally {
      lock.unlock();
    }
  }

  /** Stops sharing a template's key. */
  void release(String template) throws SQLException {
    lock.lock();
    try {
      if (shared.remove(template)) {
        call("select pg_advisory_unlock_shared(?, ?)", template);
      }
    } finally {
      lock.unlock();
    }
  }

  private boolean call(String sql, String template) throws SQLException {
    if (closed) {
      throw new SQLException("pgisolated's pool is closed");
    }
    if (connection == null || connection.isClosed()) {
      if (!shared.isEmpty()) {
        // The shares died with their session: another JVM may already be dropping those templates.
        throw new SQLException("The connection marking this JVM's templates as in use was lost; "
            + shared.size() + " templates can no longer be used safely by this JVM");
      }
      connection = connector.get();
    }
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      ps.setInt(1, DatabaseClaims.CLASS_ID);
      ps.setInt(2, DatabaseClaims.key(template));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      shared.clear();
      if (connection != null) {
        connection.close();
      }
    } catch (SQLException ignored) {
      // The server releases the shares when the session ends either way.
    } finally {
      connection = null;
      lock.unlock();
    }
  }
}
