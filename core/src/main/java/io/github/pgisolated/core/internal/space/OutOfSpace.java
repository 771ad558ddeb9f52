package io.github.pgisolated.core.internal.space;

import java.io.IOException;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Optional;

/**
 * Tells a failure for lack of disk (or of /dev/shm, a tmpfs) from every other failure, so that the
 * pool stops asking for room that is not there instead of retrying.
 *
 * <p>What PostgreSQL 18 reports, measured on a full tmpfs: {@code CREATE DATABASE … STRATEGY
 * FILE_COPY} fails with SQLSTATE 53100 ({@code disk_full}), "could not write to file
 * "base/16400/2753_fsm": No space left on device", and cleans up after itself; a table that grows
 * fails with 53100 "could not extend file …"; {@code STRATEGY WAL_LOG} (and any write once the
 * WAL has no room) fails with a PANIC, "could not write to file "pg_wal/xlogtemp…": No space left
 * on device", which restarts the server, and whose recovery then fails for the same reason: the
 * client sees only its connection lost. initdb and file copies fail with an {@link IOException}
 * naming ENOSPC. So a failure is taken for a full disk when anything in its cause chain is an
 * {@link SQLException} of SQLSTATE 53100, or when its message says "No space left on device"
 * (other SQLSTATEs of classes 53 and 58 carry it too: an I/O error is 58030).
 */
public final class OutOfSpace {
  /** SQLSTATE {@code disk_full}. */
  public static final String DISK_FULL = "53100";
  private static final String ENOSPC = "no space left on device";

  private OutOfSpace() {}

  /** Whether {@code failure}, or one of its causes, is a full disk. */
  public static boolean is(Throwable failure) {
    return cause(failure).isPresent();
  }

  /** The failure in the chain that says the disk is full, for its message; empty when none does. */
  public static Optional<Throwable> cause(Throwable failure) {
    // Bounded: a cause chain can loop (a cause set to an ancestor).
    Throwable t = failure;
    for (int depth = 0; t != null && depth < 20; depth++, t = t.getCause()) {
      if (t instanceof SQLException sql && DISK_FULL.equals(sql.getSQLState())) {
        return Optional.of(t);
      }
      String message = t.getMessage();
      if (message != null && message.toLowerCase(Locale.ROOT).contains(ENOSPC)) {
        return Optional.of(t);
      }
      for (Throwable suppressed : t.getSuppressed()) {
        if (suppressed != t && is(suppressed)) {
          return cause(suppressed);
        }
      }
    }
    return Optional.empty();
  }

  /** What the server (or the file system) said, one line: the full disk's own message. */
  public static String message(Throwable failure) {
    Throwable t = cause(failure).orElse(failure);
    String message = t.getMessage() == null ? t.toString() : t.getMessage();
    String state = t instanceof SQLException sql && sql.getSQLState() != null ? " (SQLSTATE " + sql.getSQLState() + ")"
        : "";
    return message.strip().replace('\n', ' ') + state;
  }
}
