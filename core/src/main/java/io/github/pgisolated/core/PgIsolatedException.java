package io.github.pgisolated.core;

/**
 * The root of every exception pgisolated throws. Unchecked, and always carries its cause.
 *
 * <p>For <em>users</em>: catch this type to handle any pgisolated failure; the subclasses say
 * which step failed ({@link UnableToLeaseDatabaseException}, {@link TemplateBuildException},
 * {@link UnableToStartPostgresException}, {@link InvalidConfigurationException}).
 *
 * <pre>{@code
 * try (DatabaseLease lease = pool.lease(template)) {
 *   ...
 * } catch (PgIsolatedException e) {
 *   // the message says what happened, shows the state and says what to do
 * }
 * }</pre>
 *
 * @since 0.1.0
 */
public class PgIsolatedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PgIsolatedException(String message) {
    super(message);
  }

  public PgIsolatedException(String message, Throwable cause) {
    super(message, cause);
  }
}
