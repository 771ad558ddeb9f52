package io.github.pgisolated.cli.internal;

import io.github.pgisolated.core.internal.engine.PoolEngine;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code pgisolated wrap-each [-i] [-x] [-j N] -- CMD ARGS…}: runs CMD once per pgmanager
 * database, in index order, with {@code PGDATABASE} and {@code PGM_DATABASE_SHARD} (the index)
 * plus libpq's {@code PGHOST}, {@code PGPORT}, {@code PGUSER} and {@code PGPASSWORD}, so that
 * {@code psql} or {@code createdb} just work. {@code -x} appends the name as the last argument.
 *
 * <p>As pgmanager: it stops at the first command that fails and exits with its code (1 when a
 * signal ended it); {@code -i} runs them all and exits 0. With {@code -j N}, N run at once; after
 * a failure no new one starts, the running ones finish, and the exit code is the first failure's.
 * The databases are (re)created from the template first, and stay as the commands left them.
 */
final class WrapEachCommand {
  private WrapEachCommand() {}

  static int run(Settings settings, PrintStream err) throws Exception {
    try (PoolEngine engine = Services.startPool(settings);
        PgManagerDatabases databases = Services.startDatabases(engine, settings)) {
      Map<String, String> server = Services.serverEnvironment(engine.endpoint());
      List<String> names = databases.names();
      AtomicBoolean failed = new AtomicBoolean();
      AtomicInteger firstFailure = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(settings.jobs());
      try {
        List<Future<?>> runs = new ArrayList<>();
        for (int shard = 0; shard < names.size(); shard++) {
          int index = shard;
          runs.add(pool.submit(() -> {
            if (failed.get() && !settings.ignoreExitCode()) {
              return null;
            }
            int code = runOne(settings, server, names.get(index), index);
            if (code != 0 && !settings.ignoreExitCode() && failed.compareAndSet(false, true)) {
              firstFailure.set(code);
              err.println("pgisolated wrap-each: the command failed on " + names.get(index) + " (exit code " + code
                  + "); not running it on the remaining databases (-i runs them all)");
            }
            return null;
          }));
        }
        for (Future<?> run : runs) {
          run.get();
        }
      } finally {
        pool.shutdownNow();
      }
      return settings.ignoreExitCode() ? 0 : firstFailure.get();
    }
  }

  private static int runOne(Settings settings, Map<String, String> server, String database, int shard)
      throws InterruptedException {
    List<String> command = new ArrayList<>(settings.childCommand());
    if (settings.appendName()) {
      command.add(database);
    }
    Map<String, String> env = new java.util.LinkedHashMap<>(server);
    env.put("PGDATABASE", database);
    env.put("PGM_DATABASE_SHARD", Integer.toString(shard));
    try {
      return ChildProcesses.exitCode(ChildProcesses.start(command, env).waitFor());
    } catch (ChildProcesses.ChildFailedToStart e) {
      System.err.println("pgisolated wrap-each: " + e.getMessage());
      return e.exitCode();
    }
  }
}
