package io.github.pgisolated.core.internal.pool;

import io.github.pgisolated.core.InvalidConfigurationException;
import io.github.pgisolated.core.TemplateDefinition;
import io.github.pgisolated.core.TemplateInitializer;
import io.github.pgisolated.core.internal.migrations.MigrationHasher;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The identity of a template: a hash of everything that shapes it, so that a change rebuilds it
 * and no change reuses it, in every JVM and every run that shares the server.
 *
 * <p>Covered: {@link #FORMAT_VERSION}, the server's major version, each script's name and bytes
 * (in order), the migrations ({@link MigrationHasher}), the initializer's class name and bytecode, and the definition's extra hash inputs.
 * Each part is length-prefixed so that no two different definitions feed the same bytes.
 */
final class TemplateHasher {
  /** Bumped whenever the way pgisolated builds templates changes, invalidating old ones. */
  static final int FORMAT_VERSION = 1;

  private TemplateHasher() {}

  /** 16 lower-case hex characters (64 bits). */
  static String hash(TemplateDefinition definition, int majorVersion) {
    MessageDigest digest = sha256();
    update(digest, "pgisolated-template-format:" + FORMAT_VERSION);
    update(digest, "postgres-major:" + majorVersion);
    for (String script : definition.scripts()) {
      update(digest, "script:" + script);
      update(digest, readResource(definition.classLoader(), script, "script"));
    }
    MigrationHasher.update(digest, definition);
    definition.initializer().ifPresent(type -> {
      update(digest, "initializer:" + type.getName());
      update(digest, bytecodeOf(type));
    });
    for (String input : definition.hashInputs()) {
      update(digest, "input:" + input);
    }
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

  private static void update(MessageDigest digest, String text) {
    update(digest, text.getBytes(StandardCharsets.UTF_8));
  }

  private static void update(MessageDigest digest, byte[] bytes) {
    digest.update(new byte[] {
        (byte) (bytes.length >>> 24), (byte) (bytes.length >>> 16), (byte) (bytes.length >>> 8), (byte) bytes.length});
    digest.update(bytes);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }
}
