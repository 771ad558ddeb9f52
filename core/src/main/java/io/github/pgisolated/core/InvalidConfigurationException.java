package io.github.pgisolated.core;

/**
 * A configuration value is missing or invalid; the message names the key, the value and what is allowed.
 *
 * <p>For <em>users</em>: the message is meant to be read as it is, in a test report.
 *
 * @since 0.1.0
 */
public class InvalidConfigurationException extends PgIsolatedException {
  private static final long serialVersionUID = 1L;

  public InvalidConfigurationException(String message) {
    super(message);
  }

  public InvalidConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }
}
