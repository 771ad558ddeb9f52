package io.github.pgisolated.core.internal.reset;

import java.util.Arrays;

/**
 * A clone's statistics when it was last known to be in its template's state (when this JVM got
 * it, or after its last reset in place). Immutable; each reset takes the next one.
 *
 * @param databaseOid the clone's OID, for the probe
 * @param otherChanges see {@link Observation#otherChanges()}
 * @param statisticsChanges see {@link Observation#statisticsChanges()}
 * @param analyzes see {@link Observation#analyzes()}
 * @param tableChanges see {@link Observation#tableChanges()}
 * @param trust see {@link Observation#trust()}
 * @param database see {@link Observation#database()}
 * @param horizon see {@link Observation#horizon()}: every row version a test wrote has an
 *     {@code xmin} from here on, every row of the template's state one before
 */
public record Baseline(long databaseOid, long otherChanges, long statisticsChanges, long analyzes,
    long[] tableChanges, String trust, String database, long horizon) {

  static Baseline of(long databaseOid, Observation o) {
    return new Baseline(databaseOid, o.otherChanges(), o.statisticsChanges(), o.analyzes(), o.tableChanges().clone(),
        o.trust(), o.database(), o.horizon());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Baseline b && databaseOid == b.databaseOid && otherChanges == b.otherChanges
        && statisticsChanges == b.statisticsChanges && analyzes == b.analyzes
        && Arrays.equals(tableChanges, b.tableChanges) && trust.equals(b.trust) && database.equals(b.database);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(otherChanges) * 31 + Arrays.hashCode(tableChanges);
  }

  @Override
  public String toString() {
    return "Baseline[other=" + otherChanges + ", tables=" + Arrays.toString(tableChanges) + ", trust=" + trust
        + ", database=" + database + "]";
  }
}
