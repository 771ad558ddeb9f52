package io.github.pgisolated.junit5.internal;

import io.github.pgisolated.core.DatabaseLease;
import io.github.pgisolated.core.PgDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * One test method's database: the lease and the connections the extension injected. Shared by
 * the test's constructor, {@code @BeforeEach}, test and {@code @AfterEach} methods through the
 * method's store, and given back once after {@code @AfterEach}.
 *
 * <p>Thread-safe (a test may resolve parameters while another thread of the same test runs).
 */
public final class TestDatabase implements AutoCloseable {
  private final DatabaseLease lease;
  private final List<Connection> injected = new ArrayList<>();

  public TestDatabase(DatabaseLease lease) {
    this.lease = lease;
  }

  public PgDatabase database() {
    return lease.database();
  }

  public DataSource dataSource() {
    return lease.dataSource();
  }

  /** A connection for a {@code Connection} parameter; closed by {@link #release()}. */
  public synchronized Connection newConnection() throws SQLException {
    Connection connection = lease.dataSource().getConnection();
    injected.add(connection);
    return connection;
  }

  /** Closes injected connections and gives the database back; reports what the test left open. */
  public DatabaseLease.Release release() {
    closeInjected();
    return lease.release();
  }

  /**
   * Keeps the database of a failed test for debugging instead of giving it back; empty when it
   * was given back after all (the JVM kept enough already, or keeping failed).
   */
  public Optional<PgDatabase> keep(String reason) {
    closeInjected();
    return lease.keep(reason);
  }

  /** The test failed: even a read-only database is recreated. */
  public void markChanged() {
    lease.markChanged();
  }

  private synchronized void closeInjected() {
    for (Connection connection : injected) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // Closing is best effort: the database is recreated (or kept) either way.
      }
    }
    injected.clear();
  }

  @Override
  public void close() {
    release();
  }
}
