package io.github.pgisolated.core.internal.reset;

/**
 * What a reset in place did with a clone a test gave back.
 *
 * @param kind what became of it
 * @param reason for {@link Kind#RECREATE}: a short category for the run report (for example
 *     {@code schema changed}); empty otherwise
 * @param detail for {@link Kind#RECREATE}: what exactly was seen, for the log; empty otherwise
 * @param baseline the clone's statistics now that it is back in the template's state (for the
 *     next reset); null for {@link Kind#RECREATE}
 * @param tables tables whose rows were put back
 * @param sequences sequences set back
 */
public record ResetOutcome(Kind kind, String reason, String detail, Baseline baseline, int tables, int sequences) {

  /** What became of the clone. */
  public enum Kind {
    /** The test changed nothing: the clone is as it was, nothing was done. */
    UNCHANGED,
    /** The test changed only rows and sequences: they were put back in the same database. */
    RESET,
    /** The test did something a reset can't prove it undid: the clone must be recreated. */
    RECREATE
  }

  static ResetOutcome recreate(String reason, String detail) {
    return new ResetOutcome(Kind.RECREATE, reason, detail, null, 0, 0);
  }
}
