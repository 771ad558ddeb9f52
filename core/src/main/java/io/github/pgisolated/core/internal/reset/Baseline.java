package io.github.pgisolated.core.internal.reset;

import java.util.Arrays;

/**
 * A clone's statistics when it was last known to be in its template's state (when this JVM got
 * it, or after its last reset in place). Immutable; a reset produces the next one.
 */
public record Baseline(long catalogChanges, long[] tableChanges, String trust, String database) {

  static Baseline of(Observation o) {
    return new Baseline(o.catalogChanges(), o.tableChanges().clone(), o.trust(), o.database());
  }

  /** The same baseline with a table's counter moved by what the reset itself did to it. */
  Baseline plus(int table, long rows) {
    long[] changes = tableChanges.clone();
    changes[table] += rows;
    return new Baseline(catalogChanges, changes, trust, database);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Baseline b && catalogChanges == b.catalogChanges && Arrays.equals(tableChanges, b.tableChanges)
        && trust.equals(b.trust) && database.equals(b.database);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(catalogChanges) * 31 + Arrays.hashCode(tableChanges);
  }

  @Override
  public String toString() {
    return "Baseline[catalog=" + catalogChanges + ", tables=" + Arrays.toString(tableChanges) + ", trust=" + trust
        + ", database=" + database + "]";
  }
}
