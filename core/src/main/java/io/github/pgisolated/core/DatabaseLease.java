package io.github.pgisolated.core;

import javax.sql.DataSource;

/**
 * One test's exclusive use of one database, cloned from a template. Nobody else gets the
 * database until the lease is given back <em>and</em> the database is back in the template's
 * exact state: recreated from the template, or, when the test changed only rows and sequences,
 * reset in place and proven equal ({@link ResetMode}).
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
   * A small connection pool on the database (HikariCP), that hands out no more connections once
   * the lease is given back. Its size is {@code pgisolated.datasource.max-connections}. The pool
   * behind it may serve the next test too, with warm connections, when the database is reset in
   * place: its sessions are reset ({@code DISCARD ALL}) in between.
   */
  DataSource dataSource();

  /**
   * Closes the data source, counts the connections the holder left open and gives the database
   * back. Connections still open are terminated when the database is recreated (a lease with
   * connections left open is never reset in place).
   *
   * @return what was left open; {@link Release#leakedConnections()} is zero for a tidy test
   */
  Release release();

  /**
   * Says the database must be recreated after this lease, never reset in place or given back as
   * it is (for example because the test failed).
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
