package io.github.pgisolated.core.internal.migrations;

import io.github.pgisolated.core.InvalidConfigurationException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Lists the files under a classpath directory, the way a migration tool scanning that directory
 * finds them: through {@link ClassLoader#getResources(String)}, from every directory ({@code file:})
 * and jar ({@code jar:}) on the classpath that has it. Like the tools' own scanners, it finds a
 * directory in a jar only when the jar has an entry for it (Maven and Gradle jars do).
 */
final class ClasspathResources {
  private ClasspathResources() {}

  /** A file and its contents; {@code name} is its classpath name, or its path below a filesystem location. */
  record Resource(String name, byte[] content) {}

  private static final Comparator<Resource> BY_NAME = Comparator.comparing(Resource::name);

  /**
   * Every file under {@code path} (a classpath directory, or a single resource), recursively,
   * sorted by name; a name found in several classpath entries is listed once per entry, in
   * classpath order. Empty if nothing on the classpath has {@code path}.
   */
  static List<Resource> under(ClassLoader loader, String path) {
    String root = trimSlashes(path);
    List<Resource> found = new ArrayList<>();
    try {
      Enumeration<URL> urls = loader.getResources(root);
      while (urls.hasMoreElements()) {
        URL url = urls.nextElement();
        switch (url.getProtocol()) {
          case "file" -> found.addAll(underDirectory(toPath(url), root));
          case "jar" -> found.addAll(inJar(url));
          default -> throw new InvalidConfigurationException("Cannot list the classpath resources under '" + root
              + "' at " + url + ": only directories (file:) and jars (jar:) are supported. Move the migrations into a"
              + " directory or jar on the test classpath.");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Could not list the classpath resources under " + root, e);
    }
    found.sort(BY_NAME); // stable: same names keep their classpath order
    return found;
  }

  /**
   * Every file under {@code directory} (or the file itself), recursively, sorted by name, each
   * named {@code prefix/relative/path} ({@code /}-separated on every OS).
   */
  static List<Resource> underDirectory(Path directory, String prefix) {
    if (Files.isRegularFile(directory)) {
      return List.of(new Resource(prefix, read(directory)));
    }
    List<Resource> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(directory)) {
      for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        String relative = directory.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
        found.add(new Resource(prefix.isEmpty() ? relative : prefix + "/" + relative, read(file)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Could not list the files under " + directory, e);
    }
    found.sort(BY_NAME);
    return found;
  }

  private static List<Resource> inJar(URL url) throws IOException {
    JarURLConnection connection = (JarURLConnection) url.openConnection();
    // A private JarFile that we close, rather than the JVM-wide cached one.
    connection.setUseCaches(false);
    String entryName = trimSlashes(connection.getEntryName() == null ? "" : connection.getEntryName());
    List<Resource> found = new ArrayList<>();
    try (JarFile jar = connection.getJarFile()) {
      Enumeration<JarEntry> entries = jar.entries();
      while (entries.hasMoreElements()) {
        JarEntry entry = entries.nextElement();
        String name = entry.getName();
        if (!entry.isDirectory() && (name.equals(entryName) || name.startsWith(entryName + "/"))) {
          try (InputStream in = jar.getInputStream(entry)) {
            found.add(new Resource(name, in.readAllBytes()));
          }
        }
      }
    }
    return found;
  }

  private static Path toPath(URL url) {
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw new InvalidConfigurationException("Cannot read the classpath directory " + url + ": " + e.getMessage(), e);
    }
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read " + file, e);
    }
  }

  static String trimSlashes(String path) {
    int start = 0;
    int end = path.length();
    while (start < end && path.charAt(start) == '/') {
      start++;
    }
    while (end > start && path.charAt(end - 1) == '/') {
      end--;
    }
    return path.substring(start, end);
  }
}
