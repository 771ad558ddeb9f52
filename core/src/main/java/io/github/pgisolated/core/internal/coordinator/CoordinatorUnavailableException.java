package io.github.pgisolated.core.internal.coordinator;

import io.github.pgisolated.core.PgIsolatedException;

/** The coordinator could not be reached, or went away during a request: the caller re-elects a coordinator and retries. */
public class CoordinatorUnavailableException extends PgIsolatedException {
  private static final long serialVersionUID = 1L;

  public CoordinatorUnavailableException(String message) {
    super(message);
  }

  public CoordinatorUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
