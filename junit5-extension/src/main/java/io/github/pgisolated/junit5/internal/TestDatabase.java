package io.github.pgisolated.junit5.internal;

import io.github.pgisolated.core.DatabaseLease;
import io.github.pgisolated.core.PgDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
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
    synchronized (this) {
      for (Connection connection : injected) {
        try {
          connection.close();
        } catch (SQLException ignored) {
          // Closing is best effort: the database is recreated either way.
        }
      }
      injected.clear();
    }
    return lease.release();
  }

  @Override
  public void close() {
    release();
  }
}
