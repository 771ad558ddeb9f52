package io.github.pgisolated.spring.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * Feeds migration files into a template's hash, found the way Spring Boot's Flyway and Liquibase
 * find them: every file under a location, from every jar and directory on the classpath (or the
 * directory of a {@code filesystem:} location), by name and contents, so that editing, adding or
 * removing one rebuilds the template.
 */
final class MigrationFiles {
  private MigrationFiles() {}

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every JVM has SHA-256", e);
    }
  }

  /** Length-prefixed, so that no two different sequences of parts feed the same bytes. */
  static void put(MessageDigest digest, String part) {
    put(digest, part.getBytes(StandardCharsets.UTF_8));
  }

  static void put(MessageDigest digest, byte[] bytes) {
    digest.update(new byte[] {
        (byte) (bytes.length >>> 24), (byte) (bytes.length >>> 16), (byte) (bytes.length >>> 8), (byte) bytes.length});
    digest.update(bytes);
  }

  /**
   * Every file under a Flyway-style location ({@code classpath:db/migration}, {@code db/migration},
   * {@code filesystem:src/main/db}); returns how many there were.
   */
  static int putAll(MessageDigest digest, ClassLoader loader, String location) {
    String root;
    String pattern;
    if (location.startsWith("filesystem:")) {
      root = trimSlashes(location.substring("filesystem:".length()));
      pattern = "file:" + location.substring("filesystem:".length()) + "/**";
    } else {
      root = trimSlashes(location.startsWith("classpath:") ? location.substring("classpath:".length()) : location);
      pattern = "classpath*:" + root + "/**";
    }
    List<String[]> files = new ArrayList<>();
    try {
      for (Resource resource : new PathMatchingResourcePatternResolver(loader).getResources(pattern)) {
        String url = resource.getURL().toString();
        if (url.endsWith("/") || !resource.isReadable() || (resource.isFile() && !resource.getFile().isFile())) {
          continue; // a directory
        }
        int at = url.lastIndexOf(root.isEmpty() ? "/" : "/" + root + "/");
        String name = at < 0 ? url : url.substring(at + root.length() + 2);
        files.add(new String[] {name, url});
      }
      files.sort(Comparator.<String[], String>comparing(f -> f[0]).thenComparing(f -> f[1]));
      put(digest, "files:" + files.size());
      for (String[] file : files) {
        put(digest, "file:" + file[0]);
        try (InputStream in = new org.springframework.core.io.UrlResource(file[1]).getInputStream()) {
          put(digest, in.readAllBytes());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read the migrations under " + location + " for the template's hash", e);
    }
    return files.size();
  }

  /** A hash input for a class whose bytecode shapes the template (a user's initializer). */
  static String classInput(Class<?> type) {
    ClassLoader loader = type.getClassLoader() != null ? type.getClassLoader() : ClassLoader.getSystemClassLoader();
    try (InputStream in = loader.getResourceAsStream(type.getName().replace('.', '/') + ".class")) {
      MessageDigest digest = sha256();
      put(digest, in == null ? new byte[0] : in.readAllBytes());
      return "initializer " + type.getName() + " " + HexFormat.of().formatHex(digest.digest(), 0, 8);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read the bytecode of " + type.getName(), e);
    }
  }

  /** The version of a library, from the pom.properties Maven puts in its jar; "unknown" if absent. */
  static String version(ClassLoader loader, String groupId, String artifactId) {
    try (InputStream in = loader.getResourceAsStream("META-INF/maven/" + groupId + "/" + artifactId + "/pom.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  static String trimSlashes(String path) {
    String p = path;
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p;
  }
}
