package io.github.pgisolated.core.process;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.pgisolated.core.DatabaseLease;
import io.github.pgisolated.core.PgIsolatedConfig;
import io.github.pgisolated.core.PgIsolatedPool;
import io.github.pgisolated.core.PostgresServerDiedException;
import io.github.pgisolated.core.TemplateDefinition;
import io.github.pgisolated.core.UnableToStartPostgresException;
import io.github.pgisolated.core.internal.embedded.BinaryCache;
import io.github.pgisolated.core.internal.embedded.EmbeddedServer;
import io.github.pgisolated.core.internal.server.ServerEndpoint;
import io.github.pgisolated.core.internal.embedded.EmbeddedPostgres;
import io.github.pgisolated.core.internal.embedded.EmbeddedSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The embedded server dies under JVMs that lease from it: they must notice, restart it exactly
 * once among them, and go on leasing, with no database ever in two tests at once (the ledger of
 * {@link LeaseWorker}) and no test failing but those that held a database at that moment. Each test
 * runs a cluster of its own, so that killing it touches nothing else of the suite. An external
 * server that dies is not restarted (it is not ours): leases fail at once, naming it.
 */
class ServerDeathProcessTests {
  private static final Pattern DONE = Pattern.compile("DONE leases=(\\d+) violations=(\\d+) .*");
  private static final Duration WAIT = Duration.ofSeconds(90);

  private Path root;
  private EmbeddedSettings settings;
  private final String hashInput = "server-death-" + UUID.randomUUID();
  private final List<ChildJvm> children = new ArrayList<>();

  @BeforeEach
  void ownCluster() throws Exception {
    // 0755: the PostgreSQL account must reach the data directory when the build runs as root.
    root = Files.createTempDirectory("pgisolated-server-death",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    settings = EmbeddedSettings.defaults().withDataDirectory(root.resolve("data"));
  }

  @AfterEach
  void stopClusterAndChildren() {
    children.forEach(ChildJvm::close);
    EmbeddedPostgres.stop(settings);
    BinaryCache.deleteRecursively(root);
  }

  /** SIGKILL is what the OOM killer sends; SIGQUIT is what {@code pg_ctl stop -m immediate} sends. */
  @ParameterizedTest(name = "postmaster gets SIG{0}")
  @ValueSource(strings = {"KILL", "QUIT"})
  void aServerThatDiesUnderTwoJvmsIsStartedAgainOnceAndTheirLeasesGoOn(String signal) throws Exception {
    Path stop = root.resolve("stop");
    ChildJvm a = worker("a", stop);
    ChildJvm b = worker("b", stop);
    a.awaitLeases(10, WAIT);
    b.awaitLeases(10, WAIT);
    long pid = postmasterPid();

    new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor();
    int aBefore = a.leases();
    int bBefore = b.leases();
    a.awaitLeases(aBefore + 20, WAIT);
    b.awaitLeases(bBefore + 20, WAIT);
    Files.createFile(stop);

    Matcher aDone = a.await(DONE, WAIT);
    Matcher bDone = b.await(DONE, WAIT);
    assertThat(a.waitFor(WAIT)).as("a's exit code").isZero();
    assertThat(b.waitFor(WAIT)).as("b's exit code").isZero();
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("the killed postmaster").isFalse();
    assertThat(postmasterPid()).as("the server that runs now").isNotEqualTo(pid);
    List<String> output = new ArrayList<>(a.output());
    output.addAll(b.output());
    assertThat(output).as("no database was in two tests at once").noneMatch(l -> l.startsWith("VIOLATION"));
    // Only what was held or asked for when the server died may fail, and it says why.
    List<String> failed = output.stream().filter(l -> l.startsWith("FAILED")).toList();
    assertThat(failed).hasSizeLessThanOrEqualTo(4).allMatch(l -> l.contains("died"), "mentions that the server died");
    assertThat(Integer.parseInt(aDone.group(2)) + Integer.parseInt(bDone.group(2))).isEqualTo(failed.size());
    List<String> logs = new ArrayList<>(Files.readAllLines(root.resolve("a.log")));
    logs.addAll(Files.readAllLines(root.resolve("b.log")));
    assertThat(logs.stream().filter(l -> l.contains("Started embedded PostgreSQL"))).as("servers started: at first and after the death")
        .hasSize(2);
    assertThat(logs.stream().filter(l -> l.contains("pgisolated goes on with"))).as("JVMs that went on on the new server")
        .hasSize(2);
  }

  @Test
  void anExternalServerThatDiesFailsTheNextLeasesFastWithItsAddressInsteadOfEachWaitingItsTimeout() throws Exception {
    ServerEndpoint server;
    long pid;
    try (EmbeddedServer embedded = EmbeddedPostgres.start(settings)) {
      server = embedded.endpoint();
      pid = embedded.postmasterPid();
    }
    PgIsolatedConfig external = PgIsolatedConfig.from(Map.of(
        "pgisolated.postgres", "external",
        "pgisolated.external.url", "jdbc:postgresql://" + server.host() + ":" + server.port() + "/postgres",
        "pgisolated.external.user", server.user(),
        "pgisolated.external.password", server.password(),
        "pgisolated.coordinator.directory", root.resolve("coordinator").toString(),
        "pgisolated.pool.refill", "false",
        "pgisolated.lease-timeout", "60s"));
    TemplateDefinition template = TemplateDefinition.builder().scripts("db/ledger.sql").hashInput(hashInput).build();
    try (PgIsolatedPool pool = PgIsolatedPool.start(external)) {
      DatabaseLease held = pool.lease(template);
      new ProcessBuilder("kill", "-KILL", Long.toString(pid)).inheritIO().start().waitFor();
      // The lease goes back once the server is gone (a give-back in the instant before, on a backend
      // still winding down, is a normal one).
      long gone = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < gone) {
        Thread.sleep(10);
      }

      assertThatThrownBy(held::close).isInstanceOf(PostgresServerDiedException.class)
          .hasMessageContaining(server.host() + ":" + server.port()).hasMessageContaining(held.database().databaseName());
      long began = System.nanoTime();
      List<Throwable> failures = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        failures.add(catchThrowable(() -> pool.lease(template).close()));
      }
      Duration took = Duration.ofNanos(System.nanoTime() - began);

      assertThat(failures).allSatisfy(f -> assertThat(f).isInstanceOf(UnableToStartPostgresException.class)
          .hasMessageContaining("died").hasMessageContaining(server.host() + ":" + server.port()));
      // Twenty leases against a 60 s lease timeout: each waiting it out would take 20 minutes.
      assertThat(took).as("20 leases on a dead external server").isLessThan(Duration.ofSeconds(30));
    }
  }

  private ChildJvm worker(String name, Path stop) throws Exception {
    Map<String, String> config = new HashMap<>();
    config.put("pgisolated.embedded.data-directory", settings.dataDirectory().toString());
    config.put("pgisolated.coordinator.directory", root.resolve("coordinator").toString());
    config.put("pgisolated.pool.initial-size", "2");
    config.put("pgisolated.lease-timeout", "60s");
    config.put("worker.stop-at", stop.toString());
    config.put("org.slf4j.simpleLogger.defaultLogLevel", "info");
    ChildJvm child = ChildJvm.start(name, LeaseWorker.class, config, root.resolve(name + ".log"),
        hashInput, "0", "20", "1");
    children.add(child);
    return child;
  }

  private long postmasterPid() throws Exception {
    return Long.parseLong(Files.readAllLines(settings.dataDirectory().resolve("postmaster.pid")).get(0).trim());
  }
}
