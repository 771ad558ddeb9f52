package io.github.pgisolated.core.internal.coordinator;

import java.util.Optional;

/**
 * The error codes of wire protocol v1 ({@code docs/protocol.md}): the second token of an {@code
 * ERROR <CODE> <message>} line. The server closes the connection after every one of them.
 */
enum ErrorCode {
  /** Malformed, oversized, out of order, unknown verb, bad argument, or no request in time. */
  BAD_REQUEST,
  /** The version token is not one the server speaks; the message says which it does. */
  UNSUPPORTED_VERSION,
  /** The lease timed out; the message shows the pool's state. */
  TIMEOUT,
  /** The coordinator refused the request (unknown template, not the holder's to re-claim). */
  REFUSED,
  /** The peer runs as another OS user. */
  FORBIDDEN,
  /** The coordinator is shutting down: elect a new one and retry. */
  UNAVAILABLE,
  /** Anything else went wrong in the coordinator; the server keeps serving. */
  INTERNAL;

  /** The code a token names, if it names one. */
  static Optional<ErrorCode> parse(String token) {
    for (ErrorCode code : values()) {
      if (code.name().equals(token)) {
        return Optional.of(code);
      }
    }
    return Optional.empty();
  }
}
