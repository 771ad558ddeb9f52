package io.github.pgisolated.core.internal.embedded;

import io.github.pgisolated.core.UnableToStartPostgresException;

/**
 * The embedded PostgreSQL could not be provided: binaries not found or not extractable, a cluster
 * that cannot be initialised or started, an account that cannot run it.
 *
 * <p>Messages say what happened, show the state (paths, port, account, server log tail) and say
 * what to do.
 */
public class EmbeddedPostgresException extends UnableToStartPostgresException {

  private static final long serialVersionUID = 1L;

  public EmbeddedPostgresException(String message) {
    super(message);
  }

  public EmbeddedPostgresException(String message, Throwable cause) {
    super(message, cause);
  }
}
