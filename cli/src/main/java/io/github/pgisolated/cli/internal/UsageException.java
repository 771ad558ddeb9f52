package io.github.pgisolated.cli.internal;

/** The command line or the environment is wrong; the message says what and how to fix it (exit code 2). */
public final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message);
  }
}
