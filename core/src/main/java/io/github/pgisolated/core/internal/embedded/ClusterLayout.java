package io.github.pgisolated.core.internal.embedded;

import java.nio.file.Path;

/**
 * The files of one cluster. Everything pgisolated keeps about a data directory lives in a sibling
 * control directory, never inside the data directory (which belongs to the PostgreSQL account
 * when running as root):
 *
 * <pre>
 *   &lt;parent&gt;/data/                    the data directory (0700, PostgreSQL's account)
 *   &lt;parent&gt;/data.pgisolated/         the control directory (0755 as root, else 0700)
 *       cluster.lock                 FileChannel lock: init, start, stop, reuse
 *       password                     the superuser's password (0600, the JVM's user)
 *       initialized                  written after initdb succeeded; no marker = half-initialised
 *       server.log                   pg_ctl -l (owned by PostgreSQL's account)
 *       settings                     the -o options of the running server, to warn on changes
 *       binaries                     the binaries directory the running server was started from
 *       clients/&lt;pid&gt;                 one file per JVM using the server
 *       watchdog.sh, .pid, .out      the idle-shutdown watchdog
 *       stopping                     written by the watchdog while it decides to stop
 * </pre>
 *
 * @param dataDirectory the data directory
 * @param controlDirectory its sibling control directory
 */
public record ClusterLayout(Path dataDirectory, Path controlDirectory) {

  /** The layout for a data directory. */
  public static ClusterLayout of(Path dataDirectory) {
    Path data = dataDirectory.toAbsolutePath().normalize();
    if (data.getParent() == null) {
      throw new EmbeddedPostgresException("The data directory " + data + " has no parent "
          + "directory for pgisolated's control files; set pgisolated.embedded.data-directory "
          + "to a subdirectory, e.g. /var/tmp/pgisolated/clusters/18/data.");
    }
    return new ClusterLayout(data, data.resolveSibling(data.getFileName() + ".pgisolated"));
  }

  public Path lockFile() {
    return controlDirectory.resolve("cluster.lock");
  }

  public Path passwordFile() {
    return controlDirectory.resolve("password");
  }

  public Path initializedMarker() {
    return controlDirectory.resolve("initialized");
  }

  public Path serverLog() {
    return controlDirectory.resolve("server.log");
  }

  public Path settingsFile() {
    return controlDirectory.resolve("settings");
  }

  public Path binariesFile() {
    return controlDirectory.resolve("binaries");
  }

  public Path clientsDirectory() {
    return controlDirectory.resolve("clients");
  }

  public Path watchdogScript() {
    return controlDirectory.resolve("watchdog.sh");
  }

  public Path watchdogPidFile() {
    return controlDirectory.resolve("watchdog.pid");
  }

  public Path watchdogOutput() {
    return controlDirectory.resolve("watchdog.out");
  }

  public Path stoppingMarker() {
    return controlDirectory.resolve("stopping");
  }

  public Path postmasterPidFile() {
    return dataDirectory.resolve("postmaster.pid");
  }

  public Path versionFile() {
    return dataDirectory.resolve("PG_VERSION");
  }
}
