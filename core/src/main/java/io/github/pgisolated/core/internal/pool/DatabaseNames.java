package io.github.pgisolated.core.internal.pool;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names and ownership markers of the databases pgisolated creates.
 *
 * <p>Names carry a fixed prefix, the template hash and an index: {@code pgisolated_<hash>_tpl}
 * for a template and {@code pgisolated_<hash>_0007} for its clones. A name alone proves nothing (a
 * user may create a look-alike), so every database pgisolated creates also gets a comment, its
 * <em>marker</em>, and only marked databases are ever dropped, altered or handed out:
 *
 * <ul>
 *   <li>{@code pgisolated:1 template <hash> building}: a template being built, or left half-built
 *       by a crash: never cloned, dropped and rebuilt;</li>
 *   <li>{@code pgisolated:1 template <hash> ready}: a finished template, written last, as the
 *       commit marker;</li>
 *   <li>{@code pgisolated:1 clone <hash>}: a clone.</li>
 * </ul>
 */
final class DatabaseNames {
  static final String PREFIX = "pgisolated_";
  private static final Pattern MARKER = Pattern.compile("pgisolated:1 (template|clone) ([0-9a-f]{16})(?: (building|ready))?");

  private DatabaseNames() {}

  static String template(String hash) {
    return PREFIX + hash + "_tpl";
  }

  static String clone(String hash, int index) {
    return PREFIX + hash + "_" + String.format("%04d", index);
  }

  /** A LIKE pattern matching the template and clone names of one hash. */
  static String likePattern(String hash) {
    return PREFIX.replace("_", "\\_") + hash + "\\_%";
  }

  static String buildingMarker(String hash) {
    return "pgisolated:1 template " + hash + " building";
  }

  static String readyMarker(String hash) {
    return "pgisolated:1 template " + hash + " ready";
  }

  static String cloneMarker(String hash) {
    return "pgisolated:1 clone " + hash;
  }

  /** What a database's comment says about it, if it is pgisolated's. */
  static Optional<Marker> parse(String comment) {
    if (comment == null) {
      return Optional.empty();
    }
    Matcher m = MARKER.matcher(comment);
    if (!m.matches()) {
      return Optional.empty();
    }
    Kind kind = m.group(1).equals("clone") ? Kind.CLONE
        : "ready".equals(m.group(3)) ? Kind.TEMPLATE_READY : Kind.TEMPLATE_BUILDING;
    if (kind == Kind.CLONE && m.group(3) != null || kind != Kind.CLONE && m.group(3) == null) {
      return Optional.empty();
    }
    return Optional.of(new Marker(kind, m.group(2)));
  }

  enum Kind { TEMPLATE_BUILDING, TEMPLATE_READY, CLONE }

  record Marker(Kind kind, String hash) {}
}
