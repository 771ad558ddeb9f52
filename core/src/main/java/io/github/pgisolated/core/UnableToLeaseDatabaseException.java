package io.github.pgisolated.core;

/**
 * No database could be leased: the pool timed out, its template could not be built, or the server failed.
 *
 * <p>For <em>users</em>: the message is meant to be read as it is, in a test report.
 *
 * @since 0.1.0
 */
public class UnableToLeaseDatabaseException extends PgIsolatedException {
  private static final long serialVersionUID = 1L;

  public UnableToLeaseDatabaseException(String message) {
    super(message);
  }

  public UnableToLeaseDatabaseException(String message, Throwable cause) {
    super(message, cause);
  }
}
