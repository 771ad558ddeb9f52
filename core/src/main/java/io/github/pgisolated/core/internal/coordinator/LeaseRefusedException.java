package io.github.pgisolated.core.internal.coordinator;

import io.github.pgisolated.core.PgIsolatedException;

/** The coordinator refused a request: a bad argument, an unknown template, a database that is not the holder's to re-claim. Not retried. */
public class LeaseRefusedException extends PgIsolatedException {
  private static final long serialVersionUID = 1L;

  public LeaseRefusedException(String message) {
    super(message);
  }

  public LeaseRefusedException(String message, Throwable cause) {
    super(message, cause);
  }
}
