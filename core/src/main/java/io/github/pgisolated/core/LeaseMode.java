package io.github.pgisolated.core;

/**
 * How a test uses its database.
 *
 * <p>For <em>users</em> of the core API; the JUnit extension maps {@code @PgIsolated(readOnly = true)}
 * to {@link #READ_ONLY}.
 *
 * <pre>{@code
 * try (DatabaseLease lease = pool.lease(template, Duration.ofSeconds(30), LeaseMode.READ_ONLY)) {
 *   // every new session on the database is read-only; the database goes back without being recreated
 * }
 * }</pre>
 *
 * @since 0.1.0
 */
public enum LeaseMode {
  /** The test may change anything; the database is recreated after it. */
  READ_WRITE,
  /**
   * The test only reads. Every new session on the database starts read-only
   * ({@code default_transaction_read_only}), so writes fail; when the test gives the database
   * back with no session left open and without {@link DatabaseLease#markChanged()}, it is ready
   * again at once instead of being recreated (IntegreSQL's "unlock"). A test that deliberately
   * switches a session to read-write defeats this: don't.
   */
  READ_ONLY
}
