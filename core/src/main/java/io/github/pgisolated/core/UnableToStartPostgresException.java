package io.github.pgisolated.core;

/**
 * The PostgreSQL server could not be started or reached (embedded, external or Testcontainers).
 *
 * <p>For <em>users</em>: the message is meant to be read as it is, in a test report.
 *
 * @since 0.1.0
 */
public class UnableToStartPostgresException extends PgIsolatedException {
  private static final long serialVersionUID = 1L;

  public UnableToStartPostgresException(String message) {
    super(message);
  }

  public UnableToStartPostgresException(String message, Throwable cause) {
    super(message, cause);
  }
}
