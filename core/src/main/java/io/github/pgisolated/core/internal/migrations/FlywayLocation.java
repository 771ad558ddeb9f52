package io.github.pgisolated.core.internal.migrations;

import io.github.pgisolated.core.InvalidConfigurationException;
import io.github.pgisolated.core.internal.migrations.ClasspathResources.Resource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A Flyway location as pgisolated hashes it: {@code classpath:} (also without a prefix, as
 * Flyway reads it) or {@code filesystem:}. For a location with wildcards
 * ({@code classpath:db/**}{@code /migration}), everything under the part before the first
 * wildcard is hashed: more than Flyway reads, never less.
 *
 * @param location the location as the user wrote it
 * @param classpath whether it is on the classpath (else on the filesystem)
 * @param path the classpath directory or filesystem path to hash, without wildcards
 */
record FlywayLocation(String location, boolean classpath, String path) {
  private static final String CLASSPATH = "classpath:";
  private static final String FILESYSTEM = "filesystem:";

  static FlywayLocation parse(String location) {
    String lower = location.toLowerCase(Locale.ROOT);
    if (lower.startsWith(CLASSPATH)) {
      return new FlywayLocation(location, true, ClasspathResources.trimSlashes(beforeWildcards(location.substring(CLASSPATH.length()))));
    }
    if (lower.startsWith(FILESYSTEM)) {
      return new FlywayLocation(location, false, beforeWildcards(location.substring(FILESYSTEM.length())));
    }
    if (lower.matches("[a-z0-9]{2,}:.*")) {
      throw new InvalidConfigurationException("Flyway location '" + location + "' is not supported by pgisolated: it can"
          + " only see what is in classpath: and filesystem: locations, and the template's hash must cover every"
          + " migration. Put the migrations on the test classpath (e.g. \"classpath:db/migration\").");
    }
    return new FlywayLocation(location, true, ClasspathResources.trimSlashes(beforeWildcards(location)));
  }

  /**
   * Every file under the location, sorted by name.
   *
   * @throws InvalidConfigurationException if the location matches nothing (a typo would otherwise
   *     give an empty template)
   */
  List<Resource> resources(ClassLoader loader) {
    if (classpath) {
      if (path.isEmpty()) {
        throw new InvalidConfigurationException("Flyway location '" + location + "' is the whole classpath; name the"
            + " directory the migrations are in, such as \"classpath:db/migration\".");
      }
      List<Resource> found = ClasspathResources.under(loader, path);
      if (found.isEmpty() && loader.getResource(path) == null) {
        throw new InvalidConfigurationException("Flyway location '" + location + "' matches nothing on the test"
            + " classpath (no resource directory '" + path + "'). Put the migrations in src/main/resources/" + path
            + " or src/test/resources/" + path + ", or fix the location in @PgIsolated(flyway = ...).");
      }
      return found;
    }
    Path directory = Path.of(path.isEmpty() ? "." : path);
    if (!Files.exists(directory)) {
      throw new InvalidConfigurationException("Flyway location '" + location + "' does not exist (looked for "
          + directory.toAbsolutePath() + "). Relative paths start from the working directory; fix the location in"
          + " @PgIsolated(flyway = ...).");
    }
    return ClasspathResources.underDirectory(directory, "");
  }

  /** The path up to the last {@code /} before the first wildcard; the path itself if it has none. */
  private static String beforeWildcards(String path) {
    int wildcard = indexOfAny(path, "*?");
    if (wildcard < 0) {
      return path;
    }
    int slash = path.lastIndexOf('/', wildcard);
    return slash < 0 ? "" : path.substring(0, slash);
  }

  private static int indexOfAny(String text, String chars) {
    for (int i = 0; i < text.length(); i++) {
      if (chars.indexOf(text.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }
}
