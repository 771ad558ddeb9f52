package io.github.pgisolated.core.internal.embedded;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What embedded PostgreSQL to run and where. Immutable; start from {@link #defaults()} and
 * derive with the {@code with...} methods. The pool engine maps the {@code pgisolated.embedded.*}
 * configuration keys onto it; a {@code null} argument to the canonical constructor means "the
 * default" for every field.
 *
 * @param version {@code pgisolated.embedded.version}: a full binaries version such as {@code
 *     18.6.0} or a major such as {@code 17} (the newest release of that major). Default {@value
 *     #DEFAULT_VERSION}, the version of the binaries jar pgisolated is built with.
 * @param baseDirectory {@code pgisolated.embedded.directory}: where extracted binaries (and, unless
 *     the data directory is elsewhere, clusters) live. Default {@code null}: {@code
 *     $XDG_CACHE_HOME/pgisolated} or {@code ~/.cache/pgisolated} on Linux, {@code
 *     ~/Library/Caches/pgisolated} on macOS, {@code /var/tmp/pgisolated} when running as root.
 * @param dataDirectory {@code pgisolated.embedded.data-directory}: the cluster's data directory.
 *     Default {@code null} ("auto"): {@code /dev/shm/pgisolated-<user>/<major>/data} on Linux when
 *     {@code /dev/shm} is writable with at least 1 GiB free, else {@code
 *     <base>/clusters/<major>/data}. Kept between runs.
 * @param runAs {@code pgisolated.embedded.run-as}: the account PostgreSQL runs as when the JVM runs
 *     as root (PostgreSQL refuses to run as root): a name, or {@code uid[:gid]} for an account
 *     without a passwd entry. Default {@code null}: {@code nobody}. Ignored when not root.
 * @param idleShutdown {@code pgisolated.embedded.idle-shutdown}: the server stops by itself this
 *     long after the last pgisolated JVM using it has exited. Default 30 minutes; {@link
 *     Duration#ZERO} means never. Fixed when the server starts: a JVM reusing a running server
 *     does not change it.
 * @param startTimeout {@code pgisolated.embedded.start-timeout}: how long initdb, the start and the
 *     first login may take. Default 60 seconds.
 * @param serverSettings {@code pgisolated.embedded.server-settings}: extra {@code -c name=value}
 *     settings, applied after (so overriding) pgisolated's own. Default empty. They take effect
 *     when the server starts; a server already running keeps the settings it was started with.
 */
public record EmbeddedSettings(
    String version,
    Path baseDirectory,
    Path dataDirectory,
    String runAs,
    Duration idleShutdown,
    Duration startTimeout,
    Map<String, String> serverSettings) {

  /** The version of the binaries jar pgisolated depends on. */
  public static final String DEFAULT_VERSION = "18.6.0";

  /** The account PostgreSQL runs as when the JVM is root. */
  public static final String DEFAULT_RUN_AS = "nobody";

  public static final Duration DEFAULT_IDLE_SHUTDOWN = Duration.ofMinutes(30);
  public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);

  private static final Pattern VERSION = Pattern.compile("\\d+(\\.\\d+\\.\\d+(-\\d+)?)?");
  private static final Pattern SETTING_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*");

  public EmbeddedSettings {
    version = version == null || version.isBlank() ? DEFAULT_VERSION : version.strip();
    if (!VERSION.matcher(version).matches()) {
      throw new IllegalArgumentException("pgisolated.embedded.version '" + version
          + "' is not a version: use a full version such as 18.6.0 or a major such as 17");
    }
    baseDirectory = baseDirectory == null ? null : baseDirectory.toAbsolutePath().normalize();
    dataDirectory = dataDirectory == null ? null : dataDirectory.toAbsolutePath().normalize();
    runAs = runAs == null || runAs.isBlank() ? DEFAULT_RUN_AS : runAs.strip();
    idleShutdown = idleShutdown == null ? DEFAULT_IDLE_SHUTDOWN : idleShutdown;
    if (idleShutdown.isNegative()) {
      throw new IllegalArgumentException("pgisolated.embedded.idle-shutdown " + idleShutdown
          + " is negative: use a positive duration, or 0 to never stop the server by itself");
    }
    startTimeout = startTimeout == null ? DEFAULT_START_TIMEOUT : startTimeout;
    if (startTimeout.isNegative() || startTimeout.isZero()) {
      throw new IllegalArgumentException(
          "pgisolated.embedded.start-timeout " + startTimeout + " must be positive");
    }
    Map<String, String> copy = new LinkedHashMap<>();
    if (serverSettings != null) {
      serverSettings.forEach((name, value) -> {
        if (name == null || !SETTING_NAME.matcher(name).matches() || value == null) {
          throw new IllegalArgumentException("pgisolated.embedded.server-settings entry '" + name
              + "=" + value + "' is not a PostgreSQL setting: use name=value pairs");
        }
        copy.put(name, value);
      });
    }
    serverSettings = Collections.unmodifiableMap(copy);
  }

  /** All defaults: version {@value #DEFAULT_VERSION}, default directories, 30 min idle stop. */
  public static EmbeddedSettings defaults() {
    return new EmbeddedSettings(null, null, null, null, null, null, null);
  }

  /** The major version: {@code 18} for {@code 18.6.0} and for {@code 18}. */
  public int majorVersion() {
    int dot = version.indexOf('.');
    return Integer.parseInt(dot < 0 ? version : version.substring(0, dot));
  }

  /** Whether {@link #version()} names only a major version, to be resolved to a release. */
  public boolean isMajorOnly() {
    return version.indexOf('.') < 0;
  }

  public EmbeddedSettings withVersion(String newVersion) {
    return new EmbeddedSettings(newVersion, baseDirectory, dataDirectory, runAs, idleShutdown,
        startTimeout, serverSettings);
  }

  public EmbeddedSettings withBaseDirectory(Path newBaseDirectory) {
    return new EmbeddedSettings(version, newBaseDirectory, dataDirectory, runAs, idleShutdown,
        startTimeout, serverSettings);
  }

  public EmbeddedSettings withDataDirectory(Path newDataDirectory) {
    return new EmbeddedSettings(version, baseDirectory, newDataDirectory, runAs, idleShutdown,
        startTimeout, serverSettings);
  }

  public EmbeddedSettings withRunAs(String newRunAs) {
    return new EmbeddedSettings(version, baseDirectory, dataDirectory, newRunAs, idleShutdown,
        startTimeout, serverSettings);
  }

  public EmbeddedSettings withIdleShutdown(Duration newIdleShutdown) {
    return new EmbeddedSettings(version, baseDirectory, dataDirectory, runAs, newIdleShutdown,
        startTimeout, serverSettings);
  }

  public EmbeddedSettings withStartTimeout(Duration newStartTimeout) {
    return new EmbeddedSettings(version, baseDirectory, dataDirectory, runAs, idleShutdown,
        newStartTimeout, serverSettings);
  }

  public EmbeddedSettings withServerSettings(Map<String, String> newServerSettings) {
    return new EmbeddedSettings(version, baseDirectory, dataDirectory, runAs, idleShutdown,
        startTimeout, newServerSettings);
  }
}
