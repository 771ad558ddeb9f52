package io.github.pgisolated.core.internal.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Every configuration key pgisolated reads, with its default and a one-line description. This
 * table is the single source for validation (unknown keys are typos and are reported) and for the
 * README's configuration section.
 */
public enum ConfigKey {
  POSTGRES("pgisolated.postgres", "embedded",
      "Where PostgreSQL comes from: `embedded`, `external` or `testcontainers`."),
  EMBEDDED_VERSION("pgisolated.embedded.version", "18.6.0",
      "PostgreSQL version of the embedded binaries: a full version (`17.11.0`) or a major (`17`)."),
  EMBEDDED_DIRECTORY("pgisolated.embedded.directory", "per-user cache",
      "Where binaries are extracted (and clusters kept when not on tmpfs)."),
  EMBEDDED_DATA_DIRECTORY("pgisolated.embedded.data-directory", "auto",
      "The cluster's data directory; `auto` uses /dev/shm when it has 1 GiB free, else the cache."),
  EMBEDDED_RUN_AS("pgisolated.embedded.run-as", "nobody",
      "The unprivileged account the server runs as when the build runs as root."),
  EMBEDDED_IDLE_SHUTDOWN("pgisolated.embedded.idle-shutdown", "30m",
      "The server stops after this long with no pgisolated JVM alive; `0` keeps it running."),
  EMBEDDED_START_TIMEOUT("pgisolated.embedded.start-timeout", "60s",
      "How long to wait for the embedded server to accept connections."),
  EMBEDDED_SERVER_SETTINGS("pgisolated.embedded.server-settings", "",
      "Extra server settings, comma separated: `shared_buffers=256MB,work_mem=16MB`."),
  EXTERNAL_URL("pgisolated.external.url", "from PGHOST/PGPORT",
      "JDBC URL of an external server, e.g. `jdbc:postgresql://localhost:5432/postgres`."),
  EXTERNAL_USER("pgisolated.external.user", "PGUSER, else postgres",
      "A role with CREATEDB (a superuser is simplest) on the external server."),
  EXTERNAL_PASSWORD("pgisolated.external.password", "PGPASSWORD, else empty",
      "That role's password."),
  TESTCONTAINERS_IMAGE("pgisolated.testcontainers.image", "postgres:18-alpine",
      "The image for `pgisolated.postgres=testcontainers`."),
  POOL_INITIAL_SIZE("pgisolated.pool.initial-size", "max(2, cores)",
      "Clones created as soon as a template is ready, and kept ready as tests lease them."),
  POOL_MAX_SIZE("pgisolated.pool.max-size", "max(8, 4 x cores)",
      "Most clones of one template at once (ready, leased, kept by JVMs between tests, being made)."),
  POOL_MAX_DATABASES("pgisolated.pool.max-databases", "max(32, 8 x cores)",
      "Most clones of all templates together, per coordinator (each build on a shared server has its own); an idle template's pool gives room to a busy one."),
  POOL_PARALLEL_TASKS("pgisolated.pool.parallel-tasks", "max(2, cores)",
      "How many clones are made at the same time while tests wait for one (one at a time otherwise)."),
  POOL_REFILL("pgisolated.pool.refill", "auto",
      "After a run, refill each template's pool to what the run needed, in a short background process once the machine is idle: `true`, `false`, or `auto` (on unless the `CI` environment variable is set)."),
  POOL_DISK_BUDGET("pgisolated.pool.disk-budget", "25%",
      "The most disk the refill may fill: a share of the free space where the embedded server keeps its data (`25%`), or a size (`2GB`, `500MB`)."),
  COORDINATOR("pgisolated.coordinator", "auto",
      "`auto`: the JVMs using one server elect a coordinator and share one pool; `none`: a pool per JVM."),
  COORDINATOR_DIRECTORY("pgisolated.coordinator.directory", "java.io.tmpdir/pgisolated-<user>",
      "Where the coordinator's lock and socket live (a private subdirectory per server)."),
  LEASE_TIMEOUT("pgisolated.lease-timeout", "60s",
      "How long a test waits for a database before it fails with the pool's state."),
  TEMPLATE_TIMEOUT("pgisolated.template-timeout", "10m",
      "How long to wait for a template another thread or JVM is building."),
  TEMPLATE_KEEP("pgisolated.template.keep", "3",
      "Templates kept per lineage (same script names, initializer and migrations); older versions are dropped. At least `1`."),
  TEMPLATE_MAX_AGE("pgisolated.template.max-age", "7d",
      "Templates unused for this long are dropped, whatever their lineage; `0` keeps them."),
  CLONE_STRATEGY("pgisolated.clone-strategy", "auto",
      "`auto` (on PostgreSQL 15+: FILE_COPY or WAL_LOG, whichever the coordinator measures faster on the first clones), `file_copy` or `wal_log`. FILE_COPY whatever is set while the disk is short of space (under 1 GiB usable where the embedded data lives)."),
  DATASOURCE_MAX_CONNECTIONS("pgisolated.datasource.max-connections", "5",
      "Connections in the pool behind each test's DataSource."),
  KEEP_FAILED_DATABASES("pgisolated.keep-failed-databases", "5",
      "Databases of failed tests kept for debugging per JVM (URL in the failure); dropped by the next run."),
  PREFETCH("pgisolated.prefetch", "true",
      "Keep one database of each template in use ready ahead, with a warm connection, for the next test."),
  RESET("pgisolated.reset", "auto",
      "After a test: `auto` puts rows and sequences back in place when that is all the test changed (proven), else recreates; `recreate` always recreates."),
  RESET_VERIFY("pgisolated.reset.verify", "false",
      "Check every database reset in place against its template (rows, sequences, catalogs) and fail loudly on a difference. Slow; for testing pgisolated itself."),
  REPORT("pgisolated.report", "true",
      "Log a short report of leases, resets in place, recreations and why, waits and templates when a JVM's tests end."),
  LEAK_DETECTION("pgisolated.leak-detection", "warn",
      "What to do when a test leaves connections open: `warn`, `fail` or `off`.");

  private final String key;
  private final String defaultValue;
  private final String description;

  ConfigKey(String key, String defaultValue, String description) {
    this.key = key;
    this.defaultValue = defaultValue;
    this.description = description;
  }

  public String key() {
    return key;
  }

  /** The default as documented (a formula such as {@code max(2, cores)} for computed ones). */
  public String documentedDefault() {
    return defaultValue;
  }

  public String description() {
    return description;
  }

  /** The environment variable for this key: upper case, dots and dashes as underscores. */
  public String environmentVariable() {
    return toEnvironmentVariable(key);
  }

  public static String toEnvironmentVariable(String key) {
    return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  public static Optional<ConfigKey> byKey(String key) {
    return Arrays.stream(values()).filter(k -> k.key.equals(key)).findFirst();
  }

  public static Optional<ConfigKey> byEnvironmentVariable(String name) {
    return Arrays.stream(values()).filter(k -> k.environmentVariable().equals(name)).findFirst();
  }

  /** The known key nearest to a misspelt one, for "did you mean" hints. */
  public static Optional<ConfigKey> nearest(String key) {
    ConfigKey best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (ConfigKey candidate : values()) {
      int d = distance(key.toLowerCase(Locale.ROOT), candidate.key);
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    return bestDistance <= Math.max(3, key.length() / 4) ? Optional.ofNullable(best) : Optional.empty();
  }

  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
