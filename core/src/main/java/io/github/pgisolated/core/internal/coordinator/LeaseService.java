package io.github.pgisolated.core.internal.coordinator;

import java.time.Duration;

/**
 * What the coordinator does for the JVMs that lease databases from it: hands out clones of
 * finished templates, takes them back, and after a takeover lets holders re-claim what they hold.
 * Implemented in-process by the coordinator's pool ({@code CoordinatorPools}) and, for the other
 * JVMs, by the socket client, which speaks {@code docs/protocol.md} to a server that calls the
 * coordinator's implementation.
 *
 * <p>Every method is thread-safe. Methods never block longer than the timeout they are given
 * (plus a round trip).
 */
public interface LeaseService {

  /**
   * Leases a ready clone of a finished template, waiting at most {@code timeout}.
   *
   * @param templateHash the 16-hex-character template hash; the template must be finished
   *     (marked ready) in PostgreSQL, or the call fails with {@link LeaseRefusedException}
   * @throws io.github.pgisolated.core.UnableToLeaseDatabaseException on timeout (the message
   *     shows the pool's state)
   * @throws LeaseRefusedException when the request is invalid (unknown template, bad argument)
   * @throws CoordinatorUnavailableException when the coordinator cannot be reached or went away
   *     while waiting; the caller re-elects and retries
   */
  Lease lease(String templateHash, Duration timeout, Holder holder);

  /** Gives a lease back; the clone is recreated before it is leased again. Stale calls are ignored. */
  void giveBack(Lease lease);

  /**
   * Gives a lease back, saying what became of the database. The default treats every database
   * as {@link Disposition#DIRTY}.
   */
  default void giveBack(Lease lease, Disposition disposition) {
    giveBack(lease);
  }

  /** What the holder did with a database it gives back. */
  enum Disposition {
    /** Possibly changed: recreated from the template before it is leased again. */
    DIRTY,
    /** Leased read-only and provably unchanged: ready again at once, not recreated. */
    UNCHANGED,
    /** Kept for debugging (a failed test's): leaves the pool; the holder has marked it. */
    KEPT
  }

  /**
   * After a takeover: tells the new coordinator that {@code holder} still holds {@code database}
   * (leased from the previous coordinator), so it is not recreated under a running test.
   *
   * @return the lease as the new coordinator knows it (its generation may differ)
   * @throws LeaseRefusedException when the database is not the holder's to re-claim (already
   *     handed out again, unknown, not pgisolated's)
   */
  Lease reclaim(String database, Holder holder);

  /** One database leased to one holder. */
  record Lease(String templateHash, String database, long generation) {}

  /**
   * Who holds a lease, for logs and error messages.
   *
   * @param pid the holder's process id
   * @param name a short description, e.g. {@code "surefire fork 2 (pid 4711)"}
   */
  record Holder(long pid, String name) {}
}
