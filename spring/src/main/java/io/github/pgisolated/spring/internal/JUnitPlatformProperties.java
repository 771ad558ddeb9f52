package io.github.pgisolated.spring.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.Optional;
import java.util.Properties;

/**
 * The {@code junit-platform.properties} JUnit reads (the first on the classpath), for starting the
 * pool while Spring starts a context, outside of any JUnit callback: there, as in plain tests,
 * {@code pgisolated.*} settings come from that file, then system properties, then environment
 * variables.
 */
final class JUnitPlatformProperties {
  private static volatile Properties properties;

  private JUnitPlatformProperties() {}

  static Optional<String> get(String key) {
    return Optional.ofNullable(load().getProperty(key));
  }

  private static Properties load() {
    Properties loaded = properties;
    if (loaded == null) {
      loaded = new Properties();
      ClassLoader loader = Thread.currentThread().getContextClassLoader() != null
          ? Thread.currentThread().getContextClassLoader() : JUnitPlatformProperties.class.getClassLoader();
      URL url = loader.getResource("junit-platform.properties");
      if (url != null) {
        try (InputStream in = url.openStream()) {
          loaded.load(in);
        } catch (IOException e) {
          throw new UncheckedIOException("Could not read " + url, e);
        }
      }
      properties = loaded;
    }
    return loaded;
  }
}
