package io.github.pgisolated.cli.internal;

import io.github.pgisolated.core.TemplateDefinition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The template of the pgmanager databases, from {@code --template} paths: SQL files run in the
 * order given, and migration directories whose {@code *.sql} files run in version order
 * ({@code V1__a.sql}, {@code V2__b.sql}, {@code V10__c.sql}; names without a version after them,
 * by name). Each file runs as one transaction, as pgisolated's template scripts do. No path: an
 * empty database.
 *
 * <p>The core reads scripts from a class loader: each file's directory is put on a
 * {@link URLClassLoader} of its own, with the files named relative to it, so the template's hash
 * covers every file's name and contents like a JVM's scripts.
 */
final class TemplateFiles {
  private static final Pattern VERSION = Pattern.compile("[Vv]?([0-9]+(?:[._][0-9]+)*)(?:__.*)?\\.sql");

  private TemplateFiles() {}

  static TemplateDefinition definition(List<Path> paths) {
    if (paths.isEmpty()) {
      return TemplateDefinition.empty();
    }
    List<Path> files = new ArrayList<>();
    for (Path path : paths) {
      if (Files.isDirectory(path)) {
        List<Path> inDirectory = sqlFiles(path);
        if (inDirectory.isEmpty()) {
          throw new UsageException("--template " + path + " is a directory without any .sql file.");
        }
        files.addAll(inDirectory);
      } else if (Files.isRegularFile(path)) {
        files.add(path);
      } else {
        throw new UsageException("--template " + path + " does not exist: name an SQL file or a directory of migrations.");
      }
    }
    // One loader root: the deepest directory that holds them all, so names are relative paths.
    Path root = files.get(0).toAbsolutePath().normalize().getParent();
    for (Path file : files) {
      while (!file.toAbsolutePath().normalize().startsWith(root)) {
        root = root.getParent();
      }
    }
    Map<String, Path> byName = new LinkedHashMap<>();
    for (Path file : files) {
      byName.put(root.relativize(file.toAbsolutePath().normalize()).toString().replace('\\', '/'), file);
    }
    try {
      URLClassLoader loader = new URLClassLoader(new URL[] {root.toUri().toURL()}, null);
      return TemplateDefinition.builder().classLoader(loader).scripts(byName.keySet().toArray(String[]::new)).build();
    } catch (MalformedURLException e) {
      throw new UsageException("--template: cannot read " + root + ": " + e.getMessage());
    }
  }

  /** The .sql files of a directory (not its subdirectories), in migration order. */
  static List<Path> sqlFiles(Path directory) {
    try (Stream<Path> list = Files.list(directory)) {
      return list.filter(p -> p.getFileName().toString().endsWith(".sql") && Files.isRegularFile(p))
          .sorted(Comparator.comparing((Path p) -> versionKey(p.getFileName().toString())).thenComparing(Path::toString))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not list " + directory, e);
    }
  }

  /** A sortable key: the version's parts zero-padded, so that 10 comes after 9. */
  private static String versionKey(String name) {
    Matcher m = VERSION.matcher(name);
    if (!m.matches()) {
      return "~" + name;
    }
    StringBuilder key = new StringBuilder();
    for (String part : m.group(1).split("[._]")) {
      key.append(String.format("%012d", Long.parseLong(part.length() > 12 ? part.substring(0, 12) : part))).append('.');
    }
    return key.toString();
  }
}
