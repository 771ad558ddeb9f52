package io.github.pgisolated.core.internal.refill;

import com.zaxxer.hikari.HikariDataSource;
import io.github.pgisolated.core.PgIsolatedConfig;
import io.github.pgisolated.core.PgIsolatedConfig.PostgresSource;
import io.github.pgisolated.core.internal.config.ConfigKey;
import io.github.pgisolated.core.internal.engine.AfterRun;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postgresql.Driver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the refill after a run ({@link RefillMain}) as a process of its own that outlives this
 * JVM, so that the build it belongs to ends on time: the last coordinator of the run calls it when
 * it closes and a template's pool has fewer ready clones than the run needed at its peak. The
 * process gets the classpath of pgisolated-core and its dependencies, the plan in a private file,
 * and writes its log next to the coordinator's files.
 */
public final class RefillLauncher implements AfterRun {
  private static final Logger LOG = LoggerFactory.getLogger(RefillLauncher.class);
  /** A test seam: how long the refill waits for an idle machine, in seconds, passed on to it. */
  static final String IDLE_WAIT_PROPERTY = "refill.idle-wait-seconds";

  /**
   * Launches the refill of these templates (hash to the run's peak, most recently used first);
   * returns without waiting. Never throws: a refill that can't start only means the next run
   * makes its clones itself.
   */
  @Override
  public void ended(PgIsolatedConfig config, Path directory, Map<String, Integer> targets) {
    if (config.postgres() == PostgresSource.TESTCONTAINERS || targets.isEmpty()) {
      // A container this JVM started stops with it: nothing would be left to refill.
      return;
    }
    try {
      Files.createDirectories(directory);
      Path plan = directory.resolve("refill-" + ProcessHandle.current().pid() + ".plan");
      new RefillPlan(configOf(config), targets).write(plan);
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-Xmx128m");
      if (System.getProperty(IDLE_WAIT_PROPERTY) != null) {
        command.add("-D" + IDLE_WAIT_PROPERTY + "=" + System.getProperty(IDLE_WAIT_PROPERTY));
      }
      command.add("-cp");
      command.add(classpath());
      command.add(RefillMain.class.getName());
      command.add(plan.toString());
      Path log = directory.resolve("refill.log");
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      builder.environment().keySet().removeIf(k -> k.startsWith("PGISOLATED_"));
      Process process = builder.start();
      LOG.info("Refilling the pools of {} template(s) to what this run needed, in the background (process {}, log {})",
          targets.size(), process.pid(), log);
    } catch (IOException | RuntimeException e) {
      LOG.debug("Could not start the refill after the run; the next run makes its clones itself", e);
    }
  }

  /** The keys that say which server and coordinator, and how pools are sized, with this configuration's values. */
  static Map<String, String> configOf(PgIsolatedConfig c) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put(ConfigKey.POSTGRES.key(), c.postgres().name().toLowerCase(java.util.Locale.ROOT));
    p.put(ConfigKey.EMBEDDED_VERSION.key(), c.embeddedVersion());
    c.embeddedDirectory().ifPresent(d -> p.put(ConfigKey.EMBEDDED_DIRECTORY.key(), d.toString()));
    c.embeddedDataDirectory().ifPresent(d -> p.put(ConfigKey.EMBEDDED_DATA_DIRECTORY.key(), d.toString()));
    p.put(ConfigKey.EMBEDDED_RUN_AS.key(), c.embeddedRunAs());
    p.put(ConfigKey.EMBEDDED_IDLE_SHUTDOWN.key(), c.embeddedIdleShutdown().toSeconds() + "s");
    p.put(ConfigKey.EMBEDDED_START_TIMEOUT.key(), c.embeddedStartTimeout().toSeconds() + "s");
    StringBuilder settings = new StringBuilder();
    c.embeddedServerSettings().forEach((k, v) -> settings.append(settings.length() == 0 ? "" : ",").append(k)
        .append('=').append(v));
    if (settings.length() > 0) {
      p.put(ConfigKey.EMBEDDED_SERVER_SETTINGS.key(), settings.toString());
    }
    c.externalUrl().ifPresent(u -> p.put(ConfigKey.EXTERNAL_URL.key(), u));
    c.externalUser().ifPresent(u -> p.put(ConfigKey.EXTERNAL_USER.key(), u));
    c.externalPassword().ifPresent(u -> p.put(ConfigKey.EXTERNAL_PASSWORD.key(), u));
    p.put(ConfigKey.COORDINATOR.key(), c.coordinator().name().toLowerCase(java.util.Locale.ROOT));
    c.coordinatorDirectory().ifPresent(d -> p.put(ConfigKey.COORDINATOR_DIRECTORY.key(), d.toString()));
    p.put(ConfigKey.POOL_INITIAL_SIZE.key(), Integer.toString(c.poolInitialSize()));
    p.put(ConfigKey.POOL_MAX_SIZE.key(), Integer.toString(c.poolMaxSize()));
    p.put(ConfigKey.POOL_MAX_DATABASES.key(), Integer.toString(c.poolMaxDatabases()));
    p.put(ConfigKey.POOL_PARALLEL_TASKS.key(), Integer.toString(c.poolParallelTasks()));
    p.put(ConfigKey.CLONE_STRATEGY.key(), c.cloneStrategy().name().toLowerCase(java.util.Locale.ROOT));
    PgIsolatedConfig.DiskBudget budget = c.poolDiskBudget();
    p.put(ConfigKey.POOL_DISK_BUDGET.key(), budget.bytes() > 0 ? Long.toString(budget.bytes())
        : Math.round(budget.share() * 100) + "%");
    // The refill itself starts no refill, logs no run report and proves nothing (nobody tests).
    p.put(ConfigKey.POOL_REFILL.key(), "false");
    p.put(ConfigKey.REPORT.key(), "false");
    p.put(ConfigKey.PREFETCH.key(), "false");
    return p;
  }

  /** pgisolated-core's jar (or classes) and those of the libraries the refill needs. */
  private static String classpath() {
    List<String> entries = new ArrayList<>();
    for (Class<?> c : List.of(RefillLauncher.class, Driver.class, HikariDataSource.class, LoggerFactory.class,
        org.tukaani.xz.XZInputStream.class)) {
      try {
        String entry = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        if (!entries.contains(entry)) {
          entries.add(entry);
        }
      } catch (URISyntaxException | RuntimeException e) {
        throw new IllegalStateException("Cannot find where " + c.getName() + " is loaded from", e);
      }
    }
    return String.join(File.pathSeparator, entries);
  }
}
