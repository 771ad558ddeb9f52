package io.github.pgisolated.core.internal.reset;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Verification mode's check: everything in a clone that differs from the template's snapshot,
 * every table's rows (as a multiset), every sequence, every catalog. It reads the whole clone
 * (tens of milliseconds), so it runs only with {@code pgisolated.reset.verify}.
 */
final class SnapshotComparison {
  private SnapshotComparison() {}

  /** What differs, one sentence each; empty when the clone is in the template's state. */
  static List<String> differences(Connection connection, TemplateSnapshot template) throws SQLException {
    List<String> differences = new ArrayList<>();
    TemplateSnapshot actual = TemplateSnapshot.take(connection);
    Map<String, String> expected = contents(template);
    Map<String, String> found = contents(actual);
    TreeMap<String, String> all = new TreeMap<>(expected);
    found.forEach(all::putIfAbsent);
    for (String relation : all.keySet()) {
      if (!Objects.equals(expected.get(relation), found.get(relation))) {
        differences.add(relation + " is " + Objects.requireNonNullElse(found.get(relation), "missing")
            + " but the template's is " + Objects.requireNonNullElse(expected.get(relation), "missing"));
      }
    }
    List<String> catalogs = actual.catalog().differencesFrom(template.catalog());
    if (!catalogs.isEmpty()) {
      differences.add("catalogs differ from the template's: " + String.join(", ", catalogs));
    }
    return differences;
  }

  private static Map<String, String> contents(TemplateSnapshot s) {
    Map<String, String> contents = new TreeMap<>();
    s.tables().forEach(t -> contents.put("table " + t.table().name(), t.rows() + " rows, digest " + t.digest()));
    s.sequences().forEach(q -> contents.put("sequence " + q.sequence().name(), "at " + q.lastValue()
        + (q.called() ? " (called)" : " (not called)")));
    return contents;
  }
}
