package io.github.pgisolated.core.internal.migrations;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/** Classpaths made on the fly: directories and jars of files, and class loaders over them. */
final class Classpaths {
  private Classpaths() {}

  /** Writes {@code files} (name to text) under {@code root}; returns {@code root}. */
  static Path directory(Path root, Map<String, String> files) throws IOException {
    for (Map.Entry<String, String> file : files.entrySet()) {
      Path path = root.resolve(file.getKey());
      Files.createDirectories(path.getParent());
      Files.writeString(path, file.getValue());
    }
    return root;
  }

  /** A jar of {@code files}, with an entry for every directory, as Maven builds them. */
  static Path jar(Path jar, Map<String, String> files) throws IOException {
    TreeSet<String> directories = new TreeSet<>();
    for (String name : files.keySet()) {
      for (int slash = name.indexOf('/'); slash > 0; slash = name.indexOf('/', slash + 1)) {
        directories.add(name.substring(0, slash + 1));
      }
    }
    try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jarOut = new JarOutputStream(out)) {
      for (String directory : directories) {
        jarOut.putNextEntry(new JarEntry(directory));
        jarOut.closeEntry();
      }
      for (Map.Entry<String, String> file : new TreeMap<>(files).entrySet()) {
        jarOut.putNextEntry(new JarEntry(file.getKey()));
        jarOut.write(file.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        jarOut.closeEntry();
      }
    }
    return jar;
  }

  /** A class loader over {@code entries} only (no parent classpath). */
  static URLClassLoader loader(Path... entries) {
    URL[] urls = new URL[entries.length];
    try {
      for (int i = 0; i < entries.length; i++) {
        urls[i] = entries[i].toUri().toURL();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new URLClassLoader(urls, null);
  }
}
