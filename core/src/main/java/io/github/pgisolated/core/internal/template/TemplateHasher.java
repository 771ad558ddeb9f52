package io.github.pgisolated.core.internal.template;

import io.github.pgisolated.core.InvalidConfigurationException;
import io.github.pgisolated.core.TemplateDefinition;
import io.github.pgisolated.core.TemplateInitializer;
import io.github.pgisolated.core.internal.migrations.MigrationHasher;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The identity of a template: a hash of everything that shapes it, so that a change rebuilds it
 * and no change reuses it, in every JVM and every run that shares the server.
 *
 * <p>Covered: {@link #FORMAT_VERSION}, the server's major version, each script's name and bytes
 * (in order), the migrations ({@link MigrationHasher}), the initializer's class name and bytecode, and the definition's extra hash inputs;
 * and, when pgisolated administers the server as a role that is not a superuser, that role (see
 * {@link #hash(TemplateDefinition, int, Optional)}). Each part is length-prefixed so that no two
 * different definitions feed the same bytes.
 */
public final class TemplateHasher {
  /**
   * Bumped whenever the way pgisolated builds templates changes, invalidating old ones. 2: the
   * ready marker records the template's fingerprint (for resets in place).
   */
  static final int FORMAT_VERSION = 2;

  private TemplateHasher() {}

  /** 16 lower-case hex characters (64 bits), for a superuser's templates. */
  public static String hash(TemplateDefinition definition, int majorVersion) {
    return hash(definition, majorVersion, Optional.empty());
  }

  /**
   * 16 lower-case hex characters (64 bits). {@code ownRole} is the role pgisolated administers the
   * server as when it is not a superuser: the objects a template's scripts create belong to the
   * role that built it, and another plain role could clone the template but not read or write a
   * single table of the clone ("permission denied for table"). So each such role has templates of
   * its own, while superusers (who may use anybody's objects) share theirs whatever their names.
   */
  public static String hash(TemplateDefinition definition, int majorVersion, Optional<String> ownRole) {
    MessageDigest digest = Digests.sha256();
    Digests.update(digest, "pgisolated-template-format:" + FORMAT_VERSION);
    Digests.update(digest, "postgres-major:" + majorVersion);
    for (String script : definition.scripts()) {
      Digests.update(digest, "script:" + script);
      Digests.update(digest, readResource(definition.classLoader(), script, "script"));
    }
    MigrationHasher.update(digest, definition);
    definition.initializer().ifPresent(type -> {
      Digests.update(digest, "initializer:" + type.getName());
      Digests.update(digest, bytecodeOf(type));
    });
    for (String input : definition.hashInputs()) {
      Digests.update(digest, "input:" + input);
    }
    ownRole.ifPresent(role -> Digests.update(digest, "role:" + role));
    return HexFormat.of().formatHex(digest.digest(), 0, 8);
  }

  static byte[] readResource(ClassLoader loader, String name, String what) {
    try (InputStream in = loader.getResourceAsStream(name)) {
      if (in == null) {
        throw new InvalidConfigurationException("Template " + what + " '" + name + "' is not on the classpath. "
            + "Put it in src/test/resources/" + name + " (or src/main/resources), or fix the name in @PgIsolated(scripts = ...).");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read template " + what + " " + name, e);
    }
  }

  private static byte[] bytecodeOf(Class<? extends TemplateInitializer> type) {
    ClassLoader loader = type.getClassLoader() != null ? type.getClassLoader() : ClassLoader.getSystemClassLoader();
    return readResource(loader, type.getName().replace('.', '/') + ".class", "initializer class");
  }

}
