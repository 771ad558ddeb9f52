package io.github.pgisolated.core.internal.coordinator;

/**
 * A line broke wire protocol v1: what the server answers with {@code ERROR <code> <message>}, or
 * what the client found wrong in a reply. Checked, because every caller must turn it into an
 * answer or a mapped exception; it never leaves this package.
 */
final class ProtocolException extends Exception {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;

  ProtocolException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  ErrorCode code() {
    return code;
  }
}
