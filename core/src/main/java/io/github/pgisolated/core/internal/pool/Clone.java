package io.github.pgisolated.core.internal.pool;

/**
 * One clone database of a template and where it is in its lifecycle. All fields are guarded by
 * the owning {@link ClonePool}'s lock.
 *
 * <pre>
 *   CREATING --cloned--> READY --leased--> LEASED --given back--> DIRTY --worker--> RECREATING
 *      |                   ^                                                          |
 *      |                   +--------------------------- cloned -----------------------+
 *      +--failed--> DIRTY (retried with backoff; after 3 failures in a row: dropped from the pool)
 *
 *   UNKNOWN (found in PostgreSQL by a new coordinator; its holder, if any, is unknown)
 *      --re-claimed by a live holder--> LEASED
 *      --no live holder lock, no sessions--> DIRTY
 * </pre>
 *
 * <p>{@link #generation} grows with every lease, so a lease given back twice, or late, cannot
 * put a database in the ready queue that someone else already holds.
 */
final class Clone {
  enum State { CREATING, READY, LEASED, DIRTY, RECREATING, UNKNOWN }

  final int index;
  final String name;
  State state = State.CREATING;
  int generation;
  int failuresInARow;

  Clone(int index, String name) {
    this.index = index;
    this.name = name;
  }

  @Override
  public String toString() {
    return name + "[" + state + "]";
  }
}
