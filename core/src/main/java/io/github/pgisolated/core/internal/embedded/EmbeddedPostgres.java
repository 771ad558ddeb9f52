package io.github.pgisolated.core.internal.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provides a running PostgreSQL from the zonky binaries: one cluster per data directory (by
 * default one per major version and user), started detached and shared by every JVM of every
 * build on the machine until it has been idle for {@link EmbeddedSettings#idleShutdown()}.
 *
 * <p><b>{@link #start}:</b> under the cluster lock ({@code <data>.pgisolated/cluster.lock}, see
 * {@link ClusterLayout}), a server already running on the data directory that accepts our stored
 * password is reused as is ({@link RunningServer}: "warm", no process is started). Otherwise the lock
 * is released while the binaries are resolved and extracted ({@link BinaryArchives}, {@link
 * BinaryCache}: this may download), then taken again to check once more, run initdb if needed
 * ({@link ClusterInitializer}), start the server ({@link PgCtl}) and its idle watchdog ({@link
 * IdleWatchdog}). So several JVMs starting at once start exactly one server, and the lock is never
 * held across a download.
 *
 * <p>As root, every PostgreSQL program runs as {@link EmbeddedSettings#runAs()} ({@link
 * RunAsAccount}). Leftovers of crashes are handled: a stale {@code postmaster.pid} is removed, a
 * half-initialised data directory is initialised again. A running server we cannot log in to
 * fails with what to do.
 */
public final class EmbeddedPostgres {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);
  private static final Duration LOGIN_ATTEMPT = Duration.ofSeconds(5);

  private EmbeddedPostgres() {}

  /**
   * A running server for these settings, started if needed. The caller closes the result when
   * done with it (that does not stop the server).
   *
   * @throws EmbeddedPostgresException when no server can be provided; the message says why and
   *     what to do
   */
  public static EmbeddedServer start(EmbeddedSettings settings) {
    long began = System.nanoTime();
    Platform platform = Platform.current();
    Path base = Locations.baseDirectory(settings, platform);
    ClusterLayout layout = ClusterLayout.of(Locations.dataDirectory(settings, platform, base));
    prepareControlDirectory(settings, base, layout);
    ClientRegistry.Registration registration = ClientRegistry.register(layout);
    try {
      try (InterProcessLock lock = lockCluster(layout, settings)) {
        Optional<EmbeddedServer> warm = RunningServer.find(layout, settings, registration, lock);
        if (warm.isPresent()) {
          LOG.info("Reusing {} (warm start in {} ms)", warm.get(), millisSince(began));
          return warm.get();
        }
      }
      long extractBegan = System.nanoTime();
      BinaryArchives archives = BinaryArchives.forThisJvm(platform, base);
      String version = archives.resolveVersion(settings.version());
      BinaryCache.Installation binaries =
          BinaryCache.install(base, platform, version, () -> archives.open(version));
      long extractMillis = binaries.extractedMillis() == 0 ? 0 : millisSince(extractBegan);
      RunAsAccount account = RunAsAccount.forSettings(settings);
      try (InterProcessLock lock = lockCluster(layout, settings)) {
        Optional<EmbeddedServer> warm = RunningServer.find(layout, settings, registration, lock);
        if (warm.isPresent()) {
          LOG.info("Reusing {}, started by another JVM meanwhile ({} ms)", warm.get(),
              millisSince(began));
          return warm.get();
        }
        long initdbMillis = ClusterInitializer.ensureInitialized(layout, binaries, account,
            settings.startTimeout(), lock);
        long startBegan = System.nanoTime();
        EmbeddedServer server = startServer(layout, settings, binaries, account, registration);
        LOG.info("Started {} as {}: cold start in {} ms (extract {} ms, initdb {} ms, start {} "
            + "ms)", server, account.description(), millisSince(began), extractMillis,
            initdbMillis, millisSince(startBegan));
        return server;
      }
    } catch (RuntimeException | Error e) {
      registration.close();
      throw e;
    }
  }

  /**
   * Stops the server of these settings now ({@code pg_ctl stop -m fast}: open sessions are
   * disconnected), whoever started it. For tests and for users who want it gone before the idle
   * timeout. Returns whether a server was running.
   */
  public static boolean stop(EmbeddedSettings settings) {
    Platform platform = Platform.current();
    Path base = Locations.baseDirectory(settings, platform);
    ClusterLayout layout = ClusterLayout.of(Locations.dataDirectory(settings, platform, base));
    if (!Files.isDirectory(layout.controlDirectory())) {
      return false;
    }
    try (InterProcessLock lock = lockCluster(layout, settings)) {
      lock.throwIfNotHeld();
      Optional<PostmasterPid> pid = PostmasterPid.read(layout.postmasterPidFile());
      if (pid.isEmpty() || !pid.get().isLivePostgres()) {
        return false;
      }
      Path pgCtl = recordedBinaries(layout).resolve("bin").resolve("pg_ctl");
      RunAsAccount owner = dataDirectoryOwner(layout);
      boolean stopped = Files.isExecutable(pgCtl) && owner != null
          ? PgCtl.stop(layout, pgCtl, owner, settings.startTimeout())
          : interruptAndWait(pid.get(), settings.startTimeout());
      // pg_ctl waits for postmaster.pid to go; wait for the process too.
      awaitExit(pid.get(), settings.startTimeout());
      if (stopped) {
        LOG.info("Stopped the embedded PostgreSQL (pid {}) of {}", pid.get().pid(),
            layout.dataDirectory());
      }
      return stopped;
    }
  }

  /** The data directory these settings use (resolving "auto"). */
  public static Path dataDirectory(EmbeddedSettings settings) {
    Platform platform = Platform.current();
    return Locations.dataDirectory(settings, platform,
        Locations.baseDirectory(settings, platform));
  }

  private static EmbeddedServer startServer(ClusterLayout layout, EmbeddedSettings settings,
      BinaryCache.Installation binaries, RunAsAccount account,
      ClientRegistry.Registration registration) {
    deleteStale(layout.postmasterPidFile());
    int port = PgCtl.start(layout, binaries, account, settings);
    try {
      Files.writeString(layout.binariesFile(), binaries.home() + "\n");
      Files.writeString(layout.settingsFile(),
          PgCtl.options(PgCtl.serverSettings(port, PgCtl.majorVersion(layout), settings.serverSettings())) + "\n");
    } catch (IOException e) {
      LOG.debug("Could not record the server's binaries and settings", e);
    }
    PostmasterPid pid = PostmasterPid.read(layout.postmasterPidFile()).orElseThrow(() ->
        new EmbeddedPostgresException("pg_ctl reported a start but " + layout.postmasterPidFile()
            + " does not exist.\nserver log:\n" + PgCtl.logTail(layout.serverLog(), 3000)));
    String password = ClusterInitializer.readPassword(layout);
    long deadline = System.nanoTime() + settings.startTimeout().toNanos();
    ServerProbe.Result login = ServerProbe.login(port, password, LOGIN_ATTEMPT);
    while (login.outcome() == ServerProbe.Outcome.UNREACHABLE && System.nanoTime() < deadline) {
      IdleWatchdog.sleep(50);
      login = ServerProbe.login(port, password, LOGIN_ATTEMPT);
    }
    if (login.outcome() != ServerProbe.Outcome.OK) {
      throw new EmbeddedPostgresException("PostgreSQL started (pid " + pid.pid() + ", port "
          + port + ", data " + layout.dataDirectory() + ") but logging in as postgres failed: "
          + login.detail() + "\nserver log:\n" + PgCtl.logTail(layout.serverLog(), 3000)
          + "\nFix: stop it with `pg_ctl stop -D " + layout.dataDirectory() + "` and delete the "
          + "data directory to start over.");
    }
    if (!settings.idleShutdown().isZero()) {
      IdleWatchdog.start(layout, pid.pid(), settings.idleShutdown());
    }
    return EmbeddedServer.create(layout, settings, port, password, login.serverVersion(),
        pid.pid(), registration);
  }

  private static void prepareControlDirectory(EmbeddedSettings settings, Path base,
      ClusterLayout layout) {
    try {
      if (settings.baseDirectory() == null) {
        Locations.throwIfNotOurs(base, "default base directory");
      }
      Locations.createDirectories(layout.controlDirectory());
    } catch (IOException e) {
      throw new EmbeddedPostgresException("Cannot create " + layout.controlDirectory() + ": "
          + e + ". Fix: set pgisolated.embedded.data-directory (and .directory) to a writable "
          + "place.", e);
    }
  }

  private static InterProcessLock lockCluster(ClusterLayout layout, EmbeddedSettings settings) {
    return InterProcessLock.acquire(layout.lockFile(),
        settings.startTimeout().multipliedBy(3).plusSeconds(30),
        "the cluster " + layout.dataDirectory());
  }

  private static Path recordedBinaries(ClusterLayout layout) {
    try {
      return Path.of(Files.readString(layout.binariesFile()).strip());
    } catch (IOException | RuntimeException e) {
      return layout.controlDirectory().resolve("no-binaries-recorded");
    }
  }

  /**
   * The account that runs the server: the data directory's owner (which may not be the
   * configured run-as if that changed since the start); null when it cannot be switched to.
   */
  private static RunAsAccount dataDirectoryOwner(ClusterLayout layout) {
    if (!CurrentUser.isRoot()) {
      return RunAsAccount.CURRENT_USER;
    }
    try {
      Object uid = Files.getAttribute(layout.dataDirectory(), "unix:uid");
      Object gid = Files.getAttribute(layout.dataDirectory(), "unix:gid");
      return RunAsAccount.resolve(uid + ":" + gid);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static void awaitExit(PostmasterPid pid, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (pid.isAlive() && System.nanoTime() < deadline) {
      IdleWatchdog.sleep(10);
    }
  }

  /** What {@code pg_ctl stop -m fast} does, for when it cannot be run: SIGINT, then wait. */
  private static boolean interruptAndWait(PostmasterPid pid, Duration timeout) {
    Commands.run(List.of("kill", "-INT", Long.toString(pid.pid())), Duration.ofSeconds(10));
    awaitExit(pid, timeout);
    return !pid.isAlive();
  }

  static void deleteStale(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new EmbeddedPostgresException("Cannot remove the stale " + file + ": " + e, e);
    }
  }

  private static long millisSince(long nanoTime) {
    return Duration.ofNanos(System.nanoTime() - nanoTime).toMillis();
  }
}
