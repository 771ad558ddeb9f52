package io.github.pgisolated.core;

/**
 * What happens to a test's database when the test gives it back ({@code pgisolated.reset}, or
 * {@code @PgIsolated(reset = …)} for one test class). Either way nobody gets the database again
 * until it is back in its template's exact state.
 *
 * <p>For <em>users</em> of the core API:
 *
 * <pre>{@code
 * try (DatabaseLease lease = pool.lease(template, Duration.ofSeconds(30), LeaseMode.READ_WRITE, ResetMode.RECREATE)) {
 *   // this test's database is dropped and cloned again afterwards, whatever the test did
 * }
 * }</pre>
 *
 * @since 0.1.0
 */
public enum ResetMode {
  /**
   * The default. When the test changed only rows and sequences (found from PostgreSQL's own
   * statistics, nothing added to the database), they are put back in the same database and it
   * keeps its warm connections for the next test; anything else (DDL of any kind, temporary
   * objects, large objects, TRUNCATE, {@code ALTER DATABASE}, prepared transactions, a connection
   * left open, a failed test) means the database is recreated from the template.
   */
  AUTO,
  /** The database is always dropped and cloned again from the template. */
  RECREATE
}
