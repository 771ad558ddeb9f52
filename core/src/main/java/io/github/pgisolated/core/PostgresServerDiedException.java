package io.github.pgisolated.core;

/**
 * The PostgreSQL server died (was killed, crashed, or was stopped) while this pool used it.
 *
 * <p>For <em>users</em>: a test that held a database when the server died fails with this
 * exception when its lease is given back (after the test's own errors, which PostgreSQL's driver
 * reports as lost connections). The next lease starts a new embedded server, once for all JVMs on
 * the machine, or reconnects to the external server, and the run goes on:
 *
 * <pre>{@code
 * try (DatabaseLease lease = pool.lease(template)) {
 *   ... // the server is killed here: statements fail with PSQLException
 * } // close() throws PostgresServerDiedException: which server, and since when
 * try (DatabaseLease next = pool.lease(template)) { // on a restarted server
 *   ...
 * }
 * }</pre>
 *
 * @since 0.1.0
 */
public class PostgresServerDiedException extends PgIsolatedException {
  private static final long serialVersionUID = 1L;

  public PostgresServerDiedException(String message) {
    super(message);
  }
}
