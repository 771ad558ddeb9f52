package io.github.pgisolated.core;

/**
 * The template could not be built: a script, a migration or the initializer failed. The message names the script and line.
 *
 * <p>For <em>users</em>: the message is meant to be read as it is, in a test report.
 *
 * @since 0.1.0
 */
public class TemplateBuildException extends PgIsolatedException {
  private static final long serialVersionUID = 1L;

  public TemplateBuildException(String message) {
    super(message);
  }

  public TemplateBuildException(String message, Throwable cause) {
    super(message, cause);
  }
}
