package io.github.pgisolated.core.internal.reset;

import io.github.pgisolated.core.PgIsolatedException;

/**
 * Verification mode ({@code pgisolated.reset.verify}) found a clone that is not in its template's
 * state after a reset in place (or when it was handed out). This is a pgisolated bug: the message
 * says what differs.
 */
public final class ResetVerificationException extends PgIsolatedException {
  private static final long serialVersionUID = 1L;

  ResetVerificationException(String message) {
    super(message);
  }
}
