package io.github.pgisolated.core.internal.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the server already running on a data directory, for a warm start: no process is
 * started, so it takes milliseconds.
 *
 * <p>A server is reused when {@code postmaster.pid} names a live PostgreSQL process (not a reused
 * pid: the command and the start time must match) for this data directory, and a JDBC login
 * with our stored password succeeds on the port it lists. A file naming anything else was left
 * by a crash and is removed. A server that is starting up or shutting down is waited for. A
 * server that refuses our password is not ours to use: that fails with what to do.
 *
 * <p>Requires the cluster lock, so that nobody starts or stops the server meanwhile (apart from
 * the idle watchdog, with which {@link IdleWatchdog#awaitDecision} synchronises).
 */
public final class RunningServer {

  private static final Logger LOG = LoggerFactory.getLogger(RunningServer.class);
  private static final Duration LOGIN_ATTEMPT = Duration.ofSeconds(5);

  private RunningServer() {}

  /** A running server of ours on the data directory; empty when one must be started. */
  public static Optional<EmbeddedServer> find(ClusterLayout layout, EmbeddedSettings settings,
      ClientRegistry.Registration registration, InterProcessLock lock) {
    lock.throwIfNotHeld();
    IdleWatchdog.awaitDecision(layout, settings.startTimeout());
    long deadline = System.nanoTime() + settings.startTimeout().toNanos();
    while (true) {
      Optional<PostmasterPid> file = PostmasterPid.read(layout.postmasterPidFile());
      if (file.isEmpty()) {
        return Optional.empty();
      }
      PostmasterPid pid = file.get();
      if (!pid.isLivePostgres() || !pid.isFor(layout.dataDirectory())) {
        LOG.info("Removing the stale {} (pid {} is not a running PostgreSQL): left by a crash",
            layout.postmasterPidFile(), pid.pid());
        EmbeddedPostgres.deleteStale(layout.postmasterPidFile());
        return Optional.empty();
      }
      if (pid.port() > 0 && !pid.isStopping()) {
        String password = ClusterInitializer.readPassword(layout);
        if (password == null) {
          throw cannotLogIn(layout, pid, "there is no password file "
              + layout.passwordFile());
        }
        ServerProbe.Result login = ServerProbe.login(pid.port(), password, LOGIN_ATTEMPT);
        if (login.outcome() == ServerProbe.Outcome.OK) {
          warnIfSettingsDiffer(layout, settings, pid.port());
          if (!settings.idleShutdown().isZero()) {
            IdleWatchdog.ensureRunning(layout, pid.pid(), settings.idleShutdown());
          }
          return Optional.of(EmbeddedServer.create(layout, settings, pid.port(), password,
              login.serverVersion(), pid.pid(), registration));
        }
        if (login.outcome() == ServerProbe.Outcome.REFUSED_LOGIN) {
          throw cannotLogIn(layout, pid, login.detail());
        }
      }
      if (System.nanoTime() - deadline > 0) {
        throw new EmbeddedPostgresException("A PostgreSQL server (pid " + pid.pid() + ", status '"
            + pid.status() + "') holds the data directory " + layout.dataDirectory() + " but did "
            + "not accept connections on 127.0.0.1:" + pid.port() + " within "
            + settings.startTimeout().toSeconds() + " s.\nserver log:\n"
            + PgCtl.logTail(layout.serverLog(), 3000) + "\nFix: stop it with `pg_ctl stop -m "
            + "fast -D " + layout.dataDirectory() + "` (or kill " + pid.pid() + ") and retry.");
      }
      IdleWatchdog.sleep(25);
    }
  }

  private static void warnIfSettingsDiffer(ClusterLayout layout, EmbeddedSettings settings,
      int port) {
    try {
      String running = Files.readString(layout.settingsFile()).strip();
      String wanted = PgCtl.options(PgCtl.serverSettings(port, PgCtl.majorVersion(layout), settings.serverSettings()));
      if (!running.equals(wanted)) {
        LOG.warn("The embedded PostgreSQL on {} runs with settings [{}], not the requested [{}]. "
            + "They apply at the next start; stop it first with EmbeddedPostgres.stop or "
            + "`pg_ctl stop -D {}`.", layout.dataDirectory(), running, wanted,
            layout.dataDirectory());
      }
    } catch (IOException e) {
      // Started by a JVM that did not record them: nothing to compare.
    }
  }

  private static EmbeddedPostgresException cannotLogIn(ClusterLayout layout, PostmasterPid pid,
      String why) {
    return new EmbeddedPostgresException("A PostgreSQL server (pid " + pid.pid() + ", port "
        + pid.port() + ") is running on the data directory " + layout.dataDirectory() + ", but "
        + "pgisolated cannot log in to it: " + why + ". It was not started by pgisolated, or "
        + "its password file was lost. Fix: stop it with `pg_ctl stop -m fast -D "
        + layout.dataDirectory() + "` (or kill " + pid.pid() + ") and, if the password file is "
        + "gone, delete " + layout.dataDirectory() + " and " + layout.controlDirectory()
        + " so pgisolated initialises a new cluster; or set pgisolated.embedded.data-directory "
        + "elsewhere.");
  }
}
