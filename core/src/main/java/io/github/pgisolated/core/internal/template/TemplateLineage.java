package io.github.pgisolated.core.internal.template;

import io.github.pgisolated.core.TemplateDefinition;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * What a template is <em>for</em>, independent of its contents: successive versions of one schema
 * (a script edited, an initializer recompiled, a hash input bumped) have different hashes but the
 * same lineage, so that the older ones can be collected (see {@link TemplateCollector}).
 *
 * <p>Covered: the script <em>names</em> (in order), the initializer's class <em>name</em> and the
 * migration locations. Not covered: script contents, bytecode, hash inputs (the README tells users
 * to change one to force a rebuild: a new version, not a new purpose) and the server version.
 */
public final class TemplateLineage {
  /** Bumped if what a lineage covers changes. */
  static final int FORMAT_VERSION = 1;

  private TemplateLineage() {}

  /** 16 lower-case hex characters (64 bits). */
  static String of(TemplateDefinition definition) {
    MessageDigest digest = Digests.sha256();
    Digests.update(digest, "pgisolated-lineage:" + FORMAT_VERSION);
    for (String script : definition.scripts()) {
      Digests.update(digest, "script:" + script);
    }
    definition.initializer().ifPresent(type -> Digests.update(digest, "initializer:" + type.getName()));
    for (String location : migrationLocations(definition)) {
      Digests.update(digest, "migrations:" + location);
    }
    return HexFormat.of().formatHex(digest.digest(), 0, 8);
  }

  /** Where the definition's migrations come from, each prefixed with its tool's name. */
  private static List<String> migrationLocations(TemplateDefinition definition) {
    List<String> locations = new ArrayList<>();
    definition.flywayLocations().forEach(location -> locations.add("flyway:" + location));
    definition.liquibaseChangelog().ifPresent(changelog -> locations.add("liquibase:" + changelog));
    return locations;
  }
}
