package io.github.pgisolated.core;

import javax.sql.DataSource;

/**
 * One test's exclusive use of one database, cloned from a template. Nobody else gets the
 * database until the lease is given back <em>and</em> the database has been recreated from the
 * template.
 *
 * <p>For <em>users</em> of the core API:
 *
 * <pre>{@code
 * try (DatabaseLease lease = pool.lease(template)) {
 *   try (Connection c = lease.dataSource().getConnection()) {
 *     ...
 *   }
 * } // closes the data source and gives the database back for recreation
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} and {@link #release()} may be called more than once; only the
 * first call gives the database back.
 *
 * @since 0.1.0
 */
public interface DatabaseLease extends AutoCloseable {

  /** Where the database is and how to log in. */
  PgDatabase database();

  /** The hash of the template the database was cloned from. */
  String templateHash();

  /**
   * A small connection pool on the database, created on first use and closed by
   * {@link #release()}. Its size is {@code pgisolated.datasource.max-connections}.
   */
  DataSource dataSource();

  /**
   * Closes the data source, counts the connections the holder left open and gives the database
   * back. Connections still open are terminated when the database is recreated.
   *
   * @return what was left open; {@link Release#leakedConnections()} is zero for a tidy test
   */
  Release release();

  /**
   * Says the database must be recreated after this lease even if it was leased
   * {@link LeaseMode#READ_ONLY read-only} (for example because the test failed).
   */
  void markChanged();

  /**
   * Keeps the database for debugging instead of giving it back: it leaves the pool under a new
   * name (returned), marked as kept, and a later run drops it. At most
   * {@code pgisolated.keep-failed-databases} databases are kept per JVM; beyond that, or when
   * keeping fails, this gives the database back and returns empty.
   *
   * @param reason why, e.g. the failed test's name; stored with the database
   */
  java.util.Optional<PgDatabase> keep(String reason);

  /** Same as {@link #release()}, ignoring the result. */
  @Override
  void close();

  /**
   * What the holder of a lease left behind when it gave the database back.
   *
   * @param borrowedFromDataSource connections taken from {@link #dataSource()} and never closed
   * @param openedElsewhere other sessions still connected to the database (for example opened
   *     with {@code DriverManager} from {@link PgDatabase#jdbcUrl()})
   */
  record Release(int borrowedFromDataSource, int openedElsewhere) {

    /** All connections left open. */
    public int leakedConnections() {
      return borrowedFromDataSource + openedElsewhere;
    }
  }
}
