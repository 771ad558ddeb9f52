package io.github.pgisolated.core.internal.coordinator;

import io.github.pgisolated.core.internal.coordinator.LeaseService.Disposition;

import io.github.pgisolated.core.UnableToLeaseDatabaseException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * An in-memory pool for the transport tests: one template ({@link #HASH}) with a fixed set of
 * clone names. It checks the invariant the server must keep: a name is never out twice, and only
 * a name that is out comes back. Templates with the special hashes below fail the way the real
 * pool can. Thread-safe (one monitor).
 */
final class FakeLeaseService implements LeaseService {

  static final String HASH = "0123456789abcdef";
  /** {@link LeaseRefusedException}. */
  static final String REFUSED_HASH = "00000000000000ee";
  /** {@link CoordinatorUnavailableException}. */
  static final String UNAVAILABLE_HASH = "00000000000000aa";
  /** An unexpected {@link IllegalStateException}. */
  static final String FAILING_HASH = "00000000000000ff";
  /** A lease whose database name protocol v1 cannot carry. */
  static final String UNSENDABLE_HASH = "00000000000000bb";

  private final Deque<String> free = new ArrayDeque<>();
  private final Set<String> out = new HashSet<>();
  private final List<String> violations = new ArrayList<>();
  private final List<Lease> givenBack = new ArrayList<>();
  private final List<Disposition> dispositions = new ArrayList<>();
  private long generation;
  private int leased;
  private int waiting;

  FakeLeaseService(int size) {
    for (int i = 0; i < size; i++) {
      free.add(name(i));
    }
  }

  static String name(int index) {
    return String.format("pgisolated_%s_%04d", HASH, index);
  }

  @Override
  public synchronized Lease lease(String templateHash, Duration timeout, Holder holder) {
    switch (templateHash) {
      case REFUSED_HASH -> throw new LeaseRefusedException("Template " + templateHash
          + " is not finished; build it before leasing.");
      case UNAVAILABLE_HASH -> throw new CoordinatorUnavailableException("The pool is closing.");
      case FAILING_HASH -> throw new IllegalStateException("the fake pool broke");
      case UNSENDABLE_HASH -> {
        return takeOut("not a pgisolated name", templateHash);
      }
      case HASH -> { }
      default -> throw new LeaseRefusedException("No template " + templateHash + ".");
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    waiting++;
    try {
      while (free.isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new UnableToLeaseDatabaseException("Timed out after " + timeout.toMillis()
              + " ms waiting for a database of template " + templateHash + " (leased " + out.size()
              + "/" + (out.size() + free.size()) + ", " + waiting + " waiting).\n"
              + "Raise pgisolated.pool.max-size \\ or look for leaked leases.");
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CoordinatorUnavailableException("interrupted", e);
    } finally {
      waiting--;
    }
    return takeOut(free.removeFirst(), templateHash);
  }

  @Override
  public synchronized void giveBack(Lease lease, Disposition disposition) {
    dispositions.add(disposition);
    giveBack(lease);
  }

  /** How each give-back through {@link #giveBack(Lease, Disposition)} was described. */
  synchronized List<Disposition> dispositions() {
    return List.copyOf(dispositions);
  }

  @Override
  public synchronized void giveBack(Lease lease) {
    givenBack.add(lease);
    if (!out.remove(lease.database())) {
      violations.add("given back but not out: " + lease);
      return;
    }
    if (lease.database().startsWith("pgisolated_")) {
      free.addLast(lease.database());
    }
    notifyAll();
  }

  @Override
  public synchronized Lease reclaim(String database, Holder holder) {
    if (!free.remove(database)) {
      throw new LeaseRefusedException(database + " is not free to re-claim.");
    }
    return takeOut(database, HASH);
  }

  private Lease takeOut(String database, String templateHash) {
    if (!out.add(database)) {
      violations.add("out twice: " + database);
    }
    leased++;
    return new Lease(templateHash, database, ++generation);
  }

  synchronized int leased() {
    return leased;
  }

  synchronized int outstanding() {
    return out.size();
  }

  synchronized List<Lease> givenBack() {
    return List.copyOf(givenBack);
  }

  synchronized List<String> violations() {
    return List.copyOf(violations);
  }

  synchronized String status() {
    return "leased=" + out.size() + " free=" + free.size() + " waiting=" + waiting;
  }
}
