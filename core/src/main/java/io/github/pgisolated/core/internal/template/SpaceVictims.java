package io.github.pgisolated.core.internal.template;

import io.github.pgisolated.core.internal.db.DatabaseNames.Kind;
import io.github.pgisolated.core.internal.db.DatabaseNames.Marker;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What the {@link TemplateCollector} may drop when the disk is full, in the order to try: failed
 * (a minute after they failed) and half-built templates first (nobody can clone them), then clones whose template is gone, then
 * ready templates by last use, oldest first, whatever their lineage or age. Never a template of
 * {@code keep} (the ones this JVM uses). The collector still skips whatever anybody uses (claimed,
 * held or with sessions): those are this run's, and the room they hold is the room it needs.
 */
final class SpaceVictims {
  private SpaceVictims() {}

  static Map<String, String> choose(Set<String> keep, Instant now, Map<String, Marker> templates,
      Set<String> clonedHashes) {
    Map<String, String> reasons = new LinkedHashMap<>();
    for (Marker m : templates.values()) {
      if (keep.contains(m.hash())) {
        continue;
      }
      // A failed template's marker tells the JVMs that waited for its build its error: kept a minute, as always.
      boolean failedAWhileAgo = m.used().map(failed -> failed.plus(TemplateCollector.FAILED_GRACE).isBefore(now))
          .orElse(true);
      if (m.kind() == Kind.TEMPLATE_FAILED && failedAWhileAgo) {
        reasons.put(m.hash(), "failed, and the disk is full");
      } else if (m.kind() == Kind.TEMPLATE_BUILDING) {
        reasons.put(m.hash(), "left half-built, and the disk is full");
      }
    }
    for (String hash : clonedHashes) {
      if (!templates.containsKey(hash) && !keep.contains(hash)) {
        reasons.put(hash, "template gone");
      }
    }
    templates.values().stream()
        .filter(m -> m.kind() == Kind.TEMPLATE_READY && !keep.contains(m.hash()))
        .sorted(Comparator.comparing((Marker m) -> m.used().orElse(Instant.EPOCH)).thenComparing(Marker::hash))
        .forEach(m -> reasons.putIfAbsent(m.hash(), "not in use, and the disk is full"));
    return reasons;
  }
}
