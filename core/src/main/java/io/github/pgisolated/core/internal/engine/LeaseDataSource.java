package io.github.pgisolated.core.internal.engine;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The {@link DataSource} one test gets: its clone's connection pool, for as long as the test holds
 * its lease. The pool outlives the test (the next test on a clone reset in place gets the same warm
 * connections), so the test gets this view of it instead: once the lease is given back it hands out
 * no more connections, and nothing a test does with it can close the pool under the next test.
 */
final class LeaseDataSource implements DataSource {
  private final DataSource pool;
  private final String database;
  private volatile boolean closed;

  LeaseDataSource(DataSource pool, String database) {
    this.pool = pool;
    this.database = database;
  }

  /** The lease was given back: no more connections. */
  void close() {
    closed = true;
  }

  @Override
  public Connection getConnection() throws SQLException {
    throwIfClosed();
    return pool.getConnection();
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throwIfClosed();
    return pool.getConnection(username, password);
  }

  private void throwIfClosed() throws SQLException {
    if (closed) {
      throw new SQLException("The test's lease on " + database + " was given back; this DataSource hands out no more "
          + "connections. Use the DataSource of the test that is running (a test must not keep one for later).",
          "08003");
    }
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return pool.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    pool.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    pool.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return pool.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return pool.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> type) throws SQLException {
    if (type.isInstance(this)) {
      return type.cast(this);
    }
    return pool.unwrap(type);
  }

  @Override
  public boolean isWrapperFor(Class<?> type) throws SQLException {
    return type.isInstance(this) || pool.isWrapperFor(type);
  }

  @Override
  public String toString() {
    return "DataSource[" + database + (closed ? ", given back]" : "]");
  }
}
