package io.github.pgisolated.core;

import io.github.pgisolated.core.internal.config.ConfigKey;
import io.github.pgisolated.core.internal.config.ConfigValues;
import io.github.pgisolated.core.internal.config.InvalidValueException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * pgisolated's configuration: immutable, validated when it is created.
 *
 * <p>For <em>users</em> of the core API. The JUnit extension builds it from
 * {@code junit-platform.properties}, {@code -Dpgisolated.…} system properties and
 * {@code PGISOLATED_…} environment variables; every key and its default is listed in the README.
 *
 * <pre>{@code
 * PgIsolatedConfig config = PgIsolatedConfig.from(Map.of(
 *     "pgisolated.pool.max-size", "16",
 *     "pgisolated.lease-timeout", "30s"));
 * }</pre>
 *
 * <p>A bad value fails with an {@link InvalidConfigurationException} that names the key, the
 * value and what is allowed; a key that looks like a misspelt pgisolated key fails too.
 *
 * @since 0.1.0
 */
public final class PgIsolatedConfig {

  /** Where PostgreSQL comes from ({@code pgisolated.postgres}). */
  public enum PostgresSource { EMBEDDED, EXTERNAL, TESTCONTAINERS }

  /** How clones are copied from the template ({@code pgisolated.clone-strategy}). */
  public enum CloneStrategy { AUTO, FILE_COPY, WAL_LOG }

  /** Whether the JVMs on one server share a pool ({@code pgisolated.coordinator}). */
  public enum Coordinator { AUTO, NONE }

  /** What happens when a test leaves connections open ({@code pgisolated.leak-detection}). */
  public enum LeakDetection { WARN, FAIL, OFF }

  private final PostgresSource postgres;
  private final String embeddedVersion;
  private final Optional<Path> embeddedDirectory;
  private final Optional<Path> embeddedDataDirectory;
  private final String embeddedRunAs;
  private final Duration embeddedIdleShutdown;
  private final Duration embeddedStartTimeout;
  private final Map<String, String> embeddedServerSettings;
  private final Optional<String> externalUrl;
  private final Optional<String> externalUser;
  private final Optional<String> externalPassword;
  private final String testcontainersImage;
  private final int poolInitialSize;
  private final int poolMaxSize;
  private final int poolParallelTasks;
  private final int poolMaxDatabases;
  private final int keepFailedDatabases;
  private final boolean report;
  private final boolean prefetch;
  private final ResetMode reset;
  private final boolean resetVerify;
  private final boolean poolRefill;
  private final DiskBudget poolDiskBudget;
  private final Coordinator coordinator;
  private final Optional<Path> coordinatorDirectory;
  private final Duration leaseTimeout;
  private final Duration templateTimeout;
  private final int templateKeep;
  private final Duration templateMaxAge;
  private final CloneStrategy cloneStrategy;
  private final int dataSourceMaxConnections;
  private final LeakDetection leakDetection;

  private PgIsolatedConfig(Function<String, Optional<String>> lookup, ConfigValues v) {
    int cores = Runtime.getRuntime().availableProcessors();
    postgres = v.choice(ConfigKey.POSTGRES, PostgresSource.class, PostgresSource.EMBEDDED);
    embeddedVersion = v.string(ConfigKey.EMBEDDED_VERSION, "18.6.0");
    if (!embeddedVersion.matches("\\d+(\\.\\d+){0,2}")) {
      throw ConfigValues.invalid(ConfigKey.EMBEDDED_VERSION, embeddedVersion, "a version such as 18.6.0 or a major such as 17");
    }
    embeddedDirectory = v.path(ConfigKey.EMBEDDED_DIRECTORY, "");
    embeddedDataDirectory = v.path(ConfigKey.EMBEDDED_DATA_DIRECTORY, "auto");
    embeddedRunAs = v.string(ConfigKey.EMBEDDED_RUN_AS, "nobody");
    embeddedIdleShutdown = v.duration(ConfigKey.EMBEDDED_IDLE_SHUTDOWN, Duration.ofMinutes(30), true);
    embeddedStartTimeout = v.duration(ConfigKey.EMBEDDED_START_TIMEOUT, Duration.ofSeconds(60), false);
    embeddedServerSettings = Map.copyOf(v.settings(ConfigKey.EMBEDDED_SERVER_SETTINGS));
    externalUrl = v.raw(ConfigKey.EXTERNAL_URL);
    if (externalUrl.isPresent() && !externalUrl.get().startsWith("jdbc:postgresql://")) {
      throw ConfigValues.invalid(ConfigKey.EXTERNAL_URL, externalUrl.get(), "a JDBC URL such as jdbc:postgresql://localhost:5432/postgres");
    }
    externalUser = v.raw(ConfigKey.EXTERNAL_USER);
    externalPassword = lookup.apply(ConfigKey.EXTERNAL_PASSWORD.key());
    testcontainersImage = v.string(ConfigKey.TESTCONTAINERS_IMAGE, "postgres:18-alpine");
    poolMaxSize = v.integer(ConfigKey.POOL_MAX_SIZE, Math.max(8, 4 * cores), 1, 10_000);
    poolInitialSize = v.integer(ConfigKey.POOL_INITIAL_SIZE, Math.min(poolMaxSize, Math.max(2, cores)), 0, 10_000);
    if (poolInitialSize > poolMaxSize) {
      throw ConfigValues.invalid(ConfigKey.POOL_INITIAL_SIZE, String.valueOf(poolInitialSize),
          "at most pgisolated.pool.max-size (" + poolMaxSize + ")");
    }
    poolParallelTasks = v.integer(ConfigKey.POOL_PARALLEL_TASKS, Math.max(2, cores), 1, 256);
    poolMaxDatabases = v.integer(ConfigKey.POOL_MAX_DATABASES, Math.max(Math.max(32, 8 * cores), poolMaxSize), 1, 100_000);
    if (poolMaxDatabases < poolMaxSize) {
      throw ConfigValues.invalid(ConfigKey.POOL_MAX_DATABASES, String.valueOf(poolMaxDatabases),
          "at least pgisolated.pool.max-size (" + poolMaxSize + ")");
    }
    keepFailedDatabases = v.integer(ConfigKey.KEEP_FAILED_DATABASES, 5, 0, 1000);
    report = v.choice(ConfigKey.REPORT, Switch.class, Switch.TRUE) == Switch.TRUE;
    prefetch = v.choice(ConfigKey.PREFETCH, Switch.class, Switch.TRUE) == Switch.TRUE;
    reset = v.choice(ConfigKey.RESET, ResetMode.class, ResetMode.AUTO);
    resetVerify = v.choice(ConfigKey.RESET_VERIFY, Switch.class, Switch.FALSE) == Switch.TRUE;
    Refill refill = v.choice(ConfigKey.POOL_REFILL, Refill.class, Refill.AUTO);
    poolRefill = refill == Refill.TRUE || refill == Refill.AUTO && System.getenv("CI") == null;
    poolDiskBudget = DiskBudget.parse(v.string(ConfigKey.POOL_DISK_BUDGET, "25%"));
    coordinator = v.choice(ConfigKey.COORDINATOR, Coordinator.class, Coordinator.AUTO);
    coordinatorDirectory = v.path(ConfigKey.COORDINATOR_DIRECTORY, "");
    leaseTimeout = v.duration(ConfigKey.LEASE_TIMEOUT, Duration.ofSeconds(60), false);
    templateTimeout = v.duration(ConfigKey.TEMPLATE_TIMEOUT, Duration.ofMinutes(10), false);
    templateKeep = v.integer(ConfigKey.TEMPLATE_KEEP, 3, 1, 1_000);
    templateMaxAge = v.duration(ConfigKey.TEMPLATE_MAX_AGE, Duration.ofDays(7), true);
    cloneStrategy = v.choice(ConfigKey.CLONE_STRATEGY, CloneStrategy.class, CloneStrategy.AUTO);
    dataSourceMaxConnections = v.integer(ConfigKey.DATASOURCE_MAX_CONNECTIONS, 5, 1, 100);
    leakDetection = v.choice(ConfigKey.LEAK_DETECTION, LeakDetection.class, LeakDetection.WARN);
  }

  private static PgIsolatedConfig parse(Function<String, Optional<String>> lookup) {
    try {
      return new PgIsolatedConfig(lookup, new ConfigValues(lookup));
    } catch (InvalidValueException e) {
      throw new InvalidConfigurationException(e.getMessage());
    }
  }

  /** The defaults, as documented. */
  public static PgIsolatedConfig defaults() {
    return parse(key -> Optional.empty());
  }

  /**
   * From {@code -Dpgisolated.…} system properties, then {@code PGISOLATED_…} environment
   * variables. Unknown {@code pgisolated.} keys in either are reported as errors.
   */
  public static PgIsolatedConfig fromSystem() {
    return from(key -> Optional.empty());
  }

  /** From explicit properties, falling back to system properties and environment variables. */
  public static PgIsolatedConfig from(Map<String, String> properties) {
    throwIfUnknownKeys(properties.keySet());
    return from(key -> Optional.ofNullable(properties.get(key)));
  }

  /**
   * From a lookup (for example JUnit's configuration parameters), falling back to system
   * properties and then environment variables. Unknown keys among system properties and
   * environment variables are reported as errors.
   */
  public static PgIsolatedConfig from(Function<String, Optional<String>> lookup) {
    Objects.requireNonNull(lookup, "lookup");
    throwIfUnknownKeys(System.getProperties().stringPropertyNames());
    List<String> envKeys = new ArrayList<>();
    for (String name : System.getenv().keySet()) {
      if (name.startsWith("PGISOLATED_") && ConfigKey.byEnvironmentVariable(name).isEmpty()) {
        envKeys.add(name);
      }
    }
    if (!envKeys.isEmpty()) {
      throw new InvalidConfigurationException("Unknown pgisolated environment variable(s) " + envKeys
          + ". Known ones are the configuration keys in upper case with dots and dashes as underscores, e.g. "
          + ConfigKey.POOL_MAX_SIZE.environmentVariable() + "; see the README's configuration section.");
    }
    return parse(key -> lookup.apply(key)
        .or(() -> Optional.ofNullable(System.getProperty(key)))
        .or(() -> Optional.ofNullable(System.getenv(ConfigKey.toEnvironmentVariable(key)))));
  }

  /** Fails on keys that start with {@code pgisolated.} but are not pgisolated keys (typos). */
  public static void throwIfUnknownKeys(Iterable<String> keys) {
    for (String key : keys) {
      if (key.toLowerCase(Locale.ROOT).startsWith("pgisolated.") && ConfigKey.byKey(key).isEmpty()) {
        String hint = ConfigKey.nearest(key).map(k -> " Did you mean " + k.key() + "?").orElse("");
        throw new InvalidConfigurationException("Unknown configuration key " + key + "." + hint
            + " Every key and its default is listed in the README's configuration section.");
      }
    }
  }

  public PostgresSource postgres() {
    return postgres;
  }

  public String embeddedVersion() {
    return embeddedVersion;
  }

  public Optional<Path> embeddedDirectory() {
    return embeddedDirectory;
  }

  public Optional<Path> embeddedDataDirectory() {
    return embeddedDataDirectory;
  }

  public String embeddedRunAs() {
    return embeddedRunAs;
  }

  public Duration embeddedIdleShutdown() {
    return embeddedIdleShutdown;
  }

  public Duration embeddedStartTimeout() {
    return embeddedStartTimeout;
  }

  public Map<String, String> embeddedServerSettings() {
    return embeddedServerSettings;
  }

  public Optional<String> externalUrl() {
    return externalUrl;
  }

  public Optional<String> externalUser() {
    return externalUser;
  }

  public Optional<String> externalPassword() {
    return externalPassword;
  }

  public String testcontainersImage() {
    return testcontainersImage;
  }

  public int poolInitialSize() {
    return poolInitialSize;
  }

  public int poolMaxSize() {
    return poolMaxSize;
  }

  public int poolParallelTasks() {
    return poolParallelTasks;
  }

  public Coordinator coordinator() {
    return coordinator;
  }

  public Optional<Path> coordinatorDirectory() {
    return coordinatorDirectory;
  }

  public int poolMaxDatabases() {
    return poolMaxDatabases;
  }

  /** Whether the run report is logged ({@code pgisolated.report}). */
  public boolean report() {
    return report;
  }

  /** Whether each template's next lease is fetched ahead ({@code pgisolated.prefetch}). */
  public boolean prefetch() {
    return prefetch;
  }

  /** What happens to a test's database after the test ({@code pgisolated.reset}). */
  public ResetMode reset() {
    return reset;
  }

  /** Whether every reset in place is checked against the template ({@code pgisolated.reset.verify}). */
  public boolean resetVerify() {
    return resetVerify;
  }

  /** Whether pools are refilled after a run ({@code pgisolated.pool.refill}, {@code auto} resolved). */
  public boolean poolRefill() {
    return poolRefill;
  }

  /** The most disk a refill may fill ({@code pgisolated.pool.disk-budget}). */
  public DiskBudget poolDiskBudget() {
    return poolDiskBudget;
  }

  /**
   * The most disk the refill of pools after a run may fill ({@code pgisolated.pool.disk-budget}):
   * a share of the free space where the embedded server keeps its data, or a size.
   *
   * <pre>{@code
   * PgIsolatedConfig.from(Map.of("pgisolated.pool.disk-budget", "2GB")).poolDiskBudget().bytesOf(freeBytes)
   * }</pre>
   *
   * @param share of the free space, 0 to 1; used when {@code bytes} is 0
   * @param bytes a fixed size, or 0
   */
  public record DiskBudget(double share, long bytes) {
    private static final java.util.regex.Pattern SIZE = java.util.regex.Pattern.compile(
        "(\\d+)\\s*(kb|mb|gb|tb)?", java.util.regex.Pattern.CASE_INSENSITIVE);

    /** The budget in bytes, given the free space (ignored for a fixed size). */
    public long bytesOf(long freeBytes) {
      return bytes > 0 ? bytes : (long) (share * freeBytes);
    }

    static DiskBudget parse(String text) {
      String value = text.trim();
      if (value.endsWith("%")) {
        try {
          double percent = Double.parseDouble(value.substring(0, value.length() - 1).trim());
          if (percent > 0 && percent <= 100) {
            return new DiskBudget(percent / 100, 0);
          }
        } catch (NumberFormatException e) {
          // Reported below.
        }
      } else {
        java.util.regex.Matcher m = SIZE.matcher(value);
        if (m.matches()) {
          long unit = m.group(2) == null ? 1 : switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "kb" -> 1L << 10;
            case "mb" -> 1L << 20;
            case "gb" -> 1L << 30;
            default -> 1L << 40;
          };
          long size = Long.parseLong(m.group(1)) * unit;
          if (size > 0) {
            return new DiskBudget(0, size);
          }
        }
      }
      throw ConfigValues.invalid(ConfigKey.POOL_DISK_BUDGET, text,
          "a share of the free space such as 25% (more than 0, at most 100%) or a size such as 2GB or 500MB");
    }
  }

  private enum Refill { AUTO, TRUE, FALSE }

  private enum Switch { TRUE, FALSE }

  public int keepFailedDatabases() {
    return keepFailedDatabases;
  }

  public Duration leaseTimeout() {
    return leaseTimeout;
  }

  public Duration templateTimeout() {
    return templateTimeout;
  }

  /** How many templates of one lineage are kept ({@code pgisolated.template.keep}), at least 1. */
  public int templateKeep() {
    return templateKeep;
  }

  /** How long an unused template is kept ({@code pgisolated.template.max-age}); zero: forever. */
  public Duration templateMaxAge() {
    return templateMaxAge;
  }

  public CloneStrategy cloneStrategy() {
    return cloneStrategy;
  }

  public int dataSourceMaxConnections() {
    return dataSourceMaxConnections;
  }

  public LeakDetection leakDetection() {
    return leakDetection;
  }

  @Override
  public String toString() {
    return "PgIsolatedConfig[postgres=" + postgres.name().toLowerCase(Locale.ROOT)
        + ", pool initial/max/parallel=" + poolInitialSize + "/" + poolMaxSize + "/" + poolParallelTasks
        + ", leaseTimeout=" + leaseTimeout + ", cloneStrategy=" + cloneStrategy + "]";
  }
}
