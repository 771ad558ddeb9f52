package io.github.pgisolated.core.internal.config;

/**
 * A configuration value that does not parse or is out of range. The public configuration turns it
 * into an {@code InvalidConfigurationException} with the same message; this package stays free of
 * the API's types so that the API can depend on it without a cycle.
 */
public final class InvalidValueException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InvalidValueException(String message) {
    super(message);
  }
}
