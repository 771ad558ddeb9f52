package io.github.pgisolated.core.internal.engine;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads every class of pgisolated-core once, in the background, soon after the pool starts.
 *
 * <p>Why: the pool works after the tests, closing at the end of the launcher session or of the
 * JVM, and resetting the last tests' clones in the background. Some launchers close the class
 * loader the tests ran in when the tests are done (JUnit's console launcher does); a class of
 * ours that no test needed yet (the give-back of a clone nobody changed, say) can then no longer
 * be loaded, and the pool fails to close, losing its run report and leaving its clones to the
 * next run. Classes are only defined, not initialized, so loading them has no side effects.
 */
final class OwnClasses {
  private static final Logger LOG = LoggerFactory.getLogger(OwnClasses.class);
  private static final String PREFIX = "io/github/pgisolated/core/";

  private OwnClasses() {}

  static void loadInBackground() {
    Thread t = new Thread(OwnClasses::loadAll, "pgisolated-preload");
    t.setDaemon(true);
    t.setPriority(Thread.MIN_PRIORITY);
    t.start();
  }

  private static void loadAll() {
    ClassLoader loader = OwnClasses.class.getClassLoader();
    int loaded = 0;
    try {
      for (String name : names()) {
        try {
          Class.forName(name, false, loader);
          loaded++;
        } catch (ClassNotFoundException | LinkageError e) {
          // An optional integration whose library is absent (Flyway, Testcontainers): never used then.
          LOG.trace("Not preloaded: {}", name, e);
        }
      }
      LOG.trace("Preloaded {} pgisolated classes", loaded);
    } catch (IOException | URISyntaxException | RuntimeException e) {
      LOG.debug("Could not list pgisolated's classes to preload them", e);
    }
  }

  private static List<String> names() throws IOException, URISyntaxException {
    CodeSource source = OwnClasses.class.getProtectionDomain().getCodeSource();
    List<String> names = new ArrayList<>();
    if (source == null) {
      return names;
    }
    Path location = Path.of(source.getLocation().toURI());
    if (Files.isDirectory(location)) {
      try (Stream<Path> files = Files.walk(location.resolve(PREFIX))) {
        files.map(p -> location.relativize(p).toString().replace('\\', '/')).forEach(n -> addClass(names, n));
      }
    } else {
      try (JarFile jar = new JarFile(location.toFile())) {
        jar.stream().map(JarEntry::getName).filter(n -> n.startsWith(PREFIX)).forEach(n -> addClass(names, n));
      }
    }
    return names;
  }

  private static void addClass(List<String> names, String path) {
    if (path.endsWith(".class") && !path.endsWith("module-info.class") && !path.endsWith("package-info.class")) {
      names.add(path.substring(0, path.length() - ".class".length()).replace('/', '.'));
    }
  }
}
