package io.github.pgisolated.core.internal.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.pgisolated.core.internal.server.ServerEndpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Against the real binaries. The binaries are extracted once into a base directory shared by the
 * tests of this class; every test has its own data directory and stops its server at the end.
 * The suite runs as root on CI, so the run-as path is exercised for real.
 */
class EmbeddedPostgresTests {

  private static Path root;
  private static Path base;
  private final List<EmbeddedSettings> started = new ArrayList<>();

  @BeforeAll
  static void createSharedBase() throws IOException {
    // 0755 so that the PostgreSQL account can reach it when running as root.
    root = Files.createTempDirectory("pgisolated-embedded-tests",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    base = root.resolve("base");
  }

  @AfterEach
  void stopServers() {
    started.forEach(EmbeddedPostgres::stop);
  }

  @AfterAll
  static void deleteSharedBase() {
    BinaryCache.deleteRecursively(root);
  }

  @Test
  void coldStartThenWarmReuseOfTheSamePostmaster() throws Exception {
    EmbeddedSettings settings = newSettings();

    ServerEndpoint cold;
    long coldPid;
    try (EmbeddedServer server = EmbeddedPostgres.start(settings)) {
      cold = server.endpoint();
      coldPid = server.postmasterPid();
      assertThat(query(cold, "select current_user")).isEqualTo("postgres");
    }
    long began = System.nanoTime();
    try (EmbeddedServer warm = EmbeddedPostgres.start(settings)) {
      long warmMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);

      assertThat(warm.endpoint().port()).isEqualTo(cold.port());
      assertThat(warm.postmasterPid()).isEqualTo(coldPid);
      assertThat(warm.endpoint().password()).isEqualTo(cold.password());
      assertThat(warmMillis).as("a warm start starts nothing").isLessThan(1000);
      assertThat(warm.endpoint().majorVersion()).isEqualTo(18);
      assertThat(warm.endpoint().description()).contains("18.6", ":" + cold.port(),
          settings.dataDirectory().toString());
    }
  }

  @Test
  void theServerAcceptsOnlyPasswordLoginsOnLoopbackTcp() throws Exception {
    try (EmbeddedServer server = EmbeddedPostgres.start(newSettings())) {
      int port = server.endpoint().port();

      assertThat(ServerProbe.login(port, "wrong", Duration.ofSeconds(5)).outcome())
          .isEqualTo(ServerProbe.Outcome.REFUSED_LOGIN);
      assertThat(query(server.endpoint(), "show listen_addresses")).isEqualTo("127.0.0.1");
      assertThat(query(server.endpoint(), "show unix_socket_directories")).isEmpty();
      assertThat(query(server.endpoint(), "show fsync")).isEqualTo("off");
      assertThat(query(server.endpoint(), "show password_encryption"))
          .isEqualTo("scram-sha-256");
      assertThat(query(server.endpoint(), "show scram_iterations")).isEqualTo("1");
    }
  }

  @Test
  void serverSettingsOverridePgisolatedsOwn() throws Exception {
    EmbeddedSettings settings = newSettings()
        .withServerSettings(Map.of("max_connections", "42", "work_mem", "7MB"));

    try (EmbeddedServer server = EmbeddedPostgres.start(settings)) {
      assertThat(query(server.endpoint(), "show max_connections")).isEqualTo("42");
      assertThat(query(server.endpoint(), "show work_mem")).isEqualTo("7MB");
    }
  }

  @Test
  void aBadServerSettingFailsWithTheServerLogAndTheKey() {
    EmbeddedSettings settings = newSettings()
        .withServerSettings(Map.of("no_such_setting_pgi", "1"));

    assertThatThrownBy(() -> EmbeddedPostgres.start(settings))
        .isInstanceOf(EmbeddedPostgresException.class)
        .hasMessageContaining("failed to start")
        .hasMessageContaining("no_such_setting_pgi")
        .hasMessageContaining("pgisolated.embedded.server-settings");
  }

  @Test
  void theServerOutlivesTheJvmThatStartedItAndTheNextJvmStartsWarm() throws Exception {
    EmbeddedSettings settings = newSettings();
    Path firstOutput = root.resolve(UUID.randomUUID() + ".out");
    String first = ChildJvm.await(ChildJvm.launch(firstOutput, "start", base.toString(),
        settings.dataDirectory().toString(), "0"), firstOutput);
    long pid = Long.parseLong(ChildJvm.value(first, "PID"));
    int port = Integer.parseInt(ChildJvm.value(first, "PORT"));

    assertThat(isRunning(pid)).as("postmaster after the child JVM exited").isTrue();
    assertThat(sessionOf(pid)).as("pg_ctl put the postmaster in its own session")
        .isEqualTo(pid);
    ClusterLayout layout = ClusterLayout.of(settings.dataDirectory());
    assertThat(ServerProbe.login(port, ClusterInitializer.readPassword(layout),
        Duration.ofSeconds(5)).outcome()).isEqualTo(ServerProbe.Outcome.OK);
    assertThat(layout.clientsDirectory()).as("the child's shutdown hook unregistered it")
        .isEmptyDirectory();

    Path secondOutput = root.resolve(UUID.randomUUID() + ".out");
    String second = ChildJvm.await(ChildJvm.launch(secondOutput, "start", base.toString(),
        settings.dataDirectory().toString(), "0"), secondOutput);
    assertThat(ChildJvm.value(second, "PID")).isEqualTo(Long.toString(pid));
    assertThat(second).contains("warm start in");
    System.out.println("warm start in a new JVM: " + ChildJvm.value(second, "MILLIS") + " ms");
  }

  @Test
  void startsAsAnUnprivilegedAccountWhenRunAsRoot() throws Exception {
    assumeTrue(CurrentUser.isRoot(), "only meaningful when the build runs as root");
    EmbeddedSettings settings = newSettings();

    try (EmbeddedServer server = EmbeddedPostgres.start(settings)) {
      ClusterLayout layout = ClusterLayout.of(settings.dataDirectory());
      assertThat(uidOf(server.postmasterPid())).isEqualTo(65534);
      assertThat(Files.getAttribute(layout.dataDirectory(), "unix:uid")).isEqualTo(65534);
      assertThat(PosixFilePermissions.toString(
          Files.getPosixFilePermissions(layout.dataDirectory()))).isEqualTo("rwx------");
      assertThat(Files.getAttribute(layout.passwordFile(), "unix:uid")).isEqualTo(0);
      assertThat(PosixFilePermissions.toString(
          Files.getPosixFilePermissions(layout.passwordFile()))).isEqualTo("rw-------");
    }
  }

  @Test
  void runAsNamesTheAccountPostgresRunsAs() throws Exception {
    assumeTrue(CurrentUser.isRoot(), "run-as applies only to root");
    assumeTrue(Commands.run(List.of("id", "-u", "cloudsdk"), Duration.ofSeconds(5)).succeeded(),
        "no account cloudsdk on this machine");
    EmbeddedSettings settings = newSettings().withRunAs("cloudsdk");

    try (EmbeddedServer server = EmbeddedPostgres.start(settings)) {
      assertThat(uidOf(server.postmasterPid())).isEqualTo(
          Integer.parseInt(Commands.run(List.of("id", "-u", "cloudsdk"), Duration.ofSeconds(5))
              .output().trim()));
    }
  }

  @Test
  void anUnknownRunAsAccountFailsNamingTheFixes() {
    assumeTrue(CurrentUser.isRoot(), "run-as applies only to root");
    EmbeddedSettings settings = newSettings().withRunAs("no-such-account-pgi");

    assertThatThrownBy(() -> EmbeddedPostgres.start(settings))
        .isInstanceOf(EmbeddedPostgresException.class)
        .hasMessageContaining("'no-such-account-pgi'")
        .hasMessageContaining("no such account")
        .hasMessageContaining("pgisolated.embedded.run-as")
        .hasMessageContaining("non-root user")
        .hasMessageContaining("pgisolated.postgres=external");
    assertThat(ClientRegistry.isRegistered(ClusterLayout.of(settings.dataDirectory()))).isFalse();
  }

  @Test
  void aDataDirectoryTheAccountCannotReachFailsNamingTheFixes() throws IOException {
    assumeTrue(CurrentUser.isRoot(), "only root switches accounts");
    Path hidden = Files.createDirectories(root.resolve(UUID.randomUUID().toString()));
    Files.setPosixFilePermissions(hidden, PosixFilePermissions.fromString("rwx------"));
    EmbeddedSettings settings = newSettings().withDataDirectory(hidden.resolve("data"));

    assertThatThrownBy(() -> EmbeddedPostgres.start(settings))
        .isInstanceOf(EmbeddedPostgresException.class)
        .hasMessageContaining("'nobody'")
        .hasMessageContaining(hidden.resolve("data").toString())
        .hasMessageContaining("pgisolated.embedded.directory")
        .hasMessageContaining("pgisolated.embedded.run-as");
  }

  @Test
  void aStalePostmasterPidWithADeadPidIsRemoved() throws Exception {
    Process exited = new ProcessBuilder("true").start();
    exited.waitFor(10, TimeUnit.SECONDS);

    assertRecoversFromStalePid(exited.pid());
  }

  @Test
  void aStalePostmasterPidNamingALiveNonPostgresProcessIsRemoved() throws Exception {
    assertRecoversFromStalePid(ProcessHandle.current().pid());
  }

  private void assertRecoversFromStalePid(long stalePid) throws Exception {
    EmbeddedSettings settings = newSettings();
    ClusterLayout layout = ClusterLayout.of(settings.dataDirectory());
    List<String> lines;
    try (EmbeddedServer server = EmbeddedPostgres.start(settings)) {
      lines = new ArrayList<>(Files.readAllLines(layout.postmasterPidFile()));
      assertThat(lines.get(0)).isEqualTo(Long.toString(server.postmasterPid()));
    }
    EmbeddedPostgres.stop(settings);
    lines.set(0, Long.toString(stalePid));
    Files.write(layout.postmasterPidFile(), lines);

    try (EmbeddedServer server = EmbeddedPostgres.start(settings)) {
      assertThat(server.postmasterPid()).isNotEqualTo(stalePid);
      assertThat(query(server.endpoint(), "select 1")).isEqualTo("1");
    }
  }

  @Test
  void aHalfInitialisedDataDirectoryIsInitialisedAgain() throws Exception {
    EmbeddedSettings settings = newSettings();
    ClusterLayout layout = ClusterLayout.of(settings.dataDirectory());
    try (EmbeddedServer server = EmbeddedPostgres.start(settings)) {
      execute(server.endpoint(), "create database left_from_before");
    }
    EmbeddedPostgres.stop(settings);
    // What a crash during initdb leaves: files, but no completion marker.
    Files.delete(layout.initializedMarker());
    Files.delete(layout.dataDirectory().resolve("global/pg_control"));

    try (EmbeddedServer server = EmbeddedPostgres.start(settings)) {
      assertThat(query(server.endpoint(),
          "select count(*) from pg_database where datname = 'left_from_before'")).isEqualTo("0");
      assertThat(layout.initializedMarker()).exists();
    }
  }

  @Test
  void aNonEmptyDataDirectoryPgisolatedDidNotCreateIsNeverTouched() throws IOException {
    EmbeddedSettings settings = newSettings();
    Files.createDirectories(settings.dataDirectory());
    Path precious = Files.writeString(settings.dataDirectory().resolve("precious.txt"), "keep");

    assertThatThrownBy(() -> EmbeddedPostgres.start(settings))
        .isInstanceOf(EmbeddedPostgresException.class)
        .hasMessageContaining("not created by pgisolated")
        .hasMessageContaining("pgisolated.embedded.data-directory");
    assertThat(precious).hasContent("keep");
  }

  @Test
  void aRunningServerWeCannotLogInToFailsNamingTheDataDirectoryAndTheFix() throws Exception {
    EmbeddedSettings settings = newSettings();
    ClusterLayout layout = ClusterLayout.of(settings.dataDirectory());
    EmbeddedPostgres.start(settings).close();
    Files.writeString(layout.passwordFile(), "not-the-password\n");

    assertThatThrownBy(() -> EmbeddedPostgres.start(settings))
        .isInstanceOf(EmbeddedPostgresException.class)
        .hasMessageContaining("cannot log in")
        .hasMessageContaining("pg_ctl stop -m fast -D " + layout.dataDirectory());
  }

  @Test
  void twoThreadsStartingAtOnceGetOneServer() throws Exception {
    EmbeddedSettings settings = newSettings();
    CyclicBarrier barrier = new CyclicBarrier(2);
    ExecutorService executor = Executors.newFixedThreadPool(2);
    try {
      List<Future<EmbeddedServer>> servers = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        servers.add(executor.submit(() -> {
          barrier.await(30, TimeUnit.SECONDS);
          return EmbeddedPostgres.start(settings);
        }));
      }
      EmbeddedServer first = servers.get(0).get(90, TimeUnit.SECONDS);
      EmbeddedServer second = servers.get(1).get(90, TimeUnit.SECONDS);

      assertThat(second.postmasterPid()).isEqualTo(first.postmasterPid());
      assertThat(second.endpoint().port()).isEqualTo(first.endpoint().port());
      first.close();
      second.close();
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void twoJvmsStartingAtOnceGetOneServer() throws Exception {
    EmbeddedSettings settings = newSettings();
    Path gate = Files.createDirectories(root.resolve(UUID.randomUUID().toString()));
    Path go = gate.resolve("go");
    List<Process> children = new ArrayList<>();
    List<Path> outputs = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Path output = gate.resolve("child-" + i + ".out");
      outputs.add(output);
      children.add(ChildJvm.launch(output, "start", base.toString(),
          settings.dataDirectory().toString(), "0", go.toString()));
    }
    awaitReady(gate, 2);
    Files.createFile(go);

    String first = ChildJvm.await(children.get(0), outputs.get(0));
    String second = ChildJvm.await(children.get(1), outputs.get(1));

    assertThat(ChildJvm.value(second, "PID")).isEqualTo(ChildJvm.value(first, "PID"));
    assertThat(ChildJvm.value(second, "PORT")).isEqualTo(ChildJvm.value(first, "PORT"));
  }

  @Test
  void theWatchdogStopsTheServerOnceNoClientHasBeenAliveForTheIdleTime() throws Exception {
    Duration previousPoll = IdleWatchdog.pollInterval;
    IdleWatchdog.pollInterval = Duration.ofMillis(200);
    try {
      EmbeddedSettings settings = newSettings().withIdleShutdown(Duration.ofSeconds(2));
      ClusterLayout layout = ClusterLayout.of(settings.dataDirectory());
      EmbeddedServer server = EmbeddedPostgres.start(settings);
      long postmaster = server.postmasterPid();
      assertThat(IdleWatchdog.isRunning(layout)).isTrue();

      // Proving that it stays up takes waiting past the idle time while registered.
      long holdUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      while (System.nanoTime() < holdUntil) {
        assertThat(isRunning(postmaster)).as("stopped although a client is registered").isTrue();
        Thread.sleep(100);
      }
      // A JVM killed with -9 leaves its registration behind; the watchdog must see it is dead.
      Process killed = new ProcessBuilder("true").start();
      killed.waitFor(10, TimeUnit.SECONDS);
      Path leftover = Files.writeString(layout.clientsDirectory().resolve(
          Long.toString(killed.pid())), "pgisolated client\n");
      server.close();
      long closedAt = System.nanoTime();

      assertTimeoutPreemptively(Duration.ofSeconds(15), () -> {
        while (isRunning(postmaster)) {
          Thread.sleep(50);
        }
      }, "the idle server was not stopped by its watchdog");
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - closedAt);
      assertThat(seconds).isBetween(1L, 10L);
      assertThat(layout.watchdogOutput()).content().contains("stopping postmaster");
      assertThat(leftover).doesNotExist();
      assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
        while (IdleWatchdog.isRunning(layout)) {
          Thread.sleep(50);
        }
      }, "the watchdog did not exit after stopping the server");
    } finally {
      IdleWatchdog.pollInterval = previousPoll;
    }
  }

  @Test
  void stopStopsTheServerAndReportsWhetherOneWasRunning() throws Exception {
    EmbeddedSettings settings = newSettings();
    long pid;
    try (EmbeddedServer server = EmbeddedPostgres.start(settings)) {
      pid = server.postmasterPid();
    }

    assertThat(EmbeddedPostgres.stop(settings)).isTrue();
    assertThat(isRunning(pid)).isFalse();
    assertThat(EmbeddedPostgres.stop(settings)).isFalse();
  }

  private EmbeddedSettings newSettings() {
    EmbeddedSettings settings = EmbeddedSettings.defaults()
        .withBaseDirectory(base)
        .withDataDirectory(root.resolve(UUID.randomUUID().toString()).resolve("data"))
        .withIdleShutdown(Duration.ZERO);
    started.add(settings);
    return settings;
  }

  private static void awaitReady(Path gate, int count) throws Exception {
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      while (true) {
        try (var files = Files.list(gate)) {
          if (files.filter(f -> f.getFileName().toString().startsWith("ready-")).count()
              >= count) {
            return;
          }
        }
        Thread.sleep(10);
      }
    }, "child JVMs did not get ready");
  }

  private static String query(ServerEndpoint endpoint, String sql) throws Exception {
    try (Connection connection = DriverManager.getConnection(endpoint.jdbcUrl("postgres"),
        endpoint.user(), endpoint.password());
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return result.getString(1);
    }
  }

  private static void execute(ServerEndpoint endpoint, String sql) throws Exception {
    try (Connection connection = DriverManager.getConnection(endpoint.jdbcUrl("postgres"),
        endpoint.user(), endpoint.password());
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  /** Alive and not a zombie (this machine's pid 1 reaps orphans only after a while). */
  private static boolean isRunning(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
        && !PostmasterPid.isZombie(pid);
  }

  private static int uidOf(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("Uid:")) {
        return Integer.parseInt(line.substring(4).trim().split("\\s+")[0]);
      }
    }
    throw new AssertionError("no Uid line for " + pid);
  }

  /** The session id (field 6 of /proc/pid/stat). */
  private static long sessionOf(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[3]);
  }
}
