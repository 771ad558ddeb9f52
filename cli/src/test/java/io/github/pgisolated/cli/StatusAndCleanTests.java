package io.github.pgisolated.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.cli.IntegreSqlClient.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * status and clean on an embedded cluster of their own (clean stops its server): status shows the
 * pools, leases, templates and disk; clean leaves what is in use, then drops every database
 * pgisolated made and nothing else, and stops the server.
 */
class StatusAndCleanTests {
  private static final Duration RUN = Duration.ofSeconds(90);

  @Test
  void statusShowsThePoolAndCleanDropsOnlyPgisolatedsDatabasesThenStopsTheServer() throws Exception {
    Path cluster = Path.of("/dev/shm").toFile().isDirectory() ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
    Path base = cluster.resolve("pgisolated-cli-clean-" + UUID.randomUUID().toString().substring(0, 8));
    Path coordinator = Files.createTempDirectory("pgisolated-clean-coordinator");
    Map<String, String> own = Map.of("PGISOLATED_EMBEDDED_DATA_DIRECTORY", base.resolve("data").toString(),
        "PGISOLATED_COORDINATOR_DIRECTORY", coordinator.toString(), "PGM_DATABASE_PREFIX", "clean_test_",
        "PGM_DATABASE_COUNT", "1", "PGISOLATED_EMBEDDED_IDLE_SHUTDOWN", "2m");
    Path dir = Files.createTempDirectory("pgisolated-clean");
    try {
      try (ServeFixture serve = ServeFixture.startIn(dir, own, "--pgmanager-socket", "pgm.sock")) {
        IntegreSqlClient api = serve.client();
        IntegreSqlApiTests.readyTemplate(api, "status-test", "create table t (x int)");
        Response held = api.get("status-test");
        assertThat(held.status()).isEqualTo(200);
        try (Connection c = serve.admin(); Statement s = c.createStatement()) {
          s.execute("create database app");
          s.execute("create database pgisolated_0123456789abcdef_0001"); // a look-alike without a marker
        }

        CliProcess status = CliProcess.start(dir, own, "status");
        assertThat(status.waitFor(RUN)).isZero();
        String shown = String.join("\n", status.stdout());
        assertThat(shown).contains("server:      embedded PostgreSQL").contains("coordinator: protocol=1 pid=")
            .contains("leases:      1 database(s)").containsPattern("pgisolated_[0-9a-f]{16}_tpl  ready .* MB  [0-9]+ clone\\(s\\), 1 leased")
            .contains("pgmanager databases:").contains("clean_test_0").containsPattern("disk used:   [0-9.]+ MB in [0-9]+ pgisolated");

        CliProcess busy = CliProcess.start(dir, own, "clean");
        assertThat(busy.waitFor(RUN)).as("serve still holds its databases").isEqualTo(1);
        assertThat(String.join("\n", busy.stdout())).contains("in use by running tests or a pgisolated serve")
            .contains("clean_test_0");
        assertThat(api.get("status-test").status()).as("serve goes on").isEqualTo(200);
        serve.process.signal("TERM");
        assertThat(serve.process.waitFor(RUN)).isZero();
      }

      CliProcess clean = CliProcess.start(dir, own, "clean");
      assertThat(clean.waitFor(RUN)).as(String.join("\n", clean.stderr())).isZero();
      assertThat(String.join("\n", clean.stdout())).containsPattern("Dropped [1-9][0-9]* pgisolated database\\(s\\)")
          .contains("Stopped the embedded PostgreSQL");
      assertThat(base.resolve("data/postmaster.pid")).doesNotExist();

      // What is left: only what pgisolated did not make.
      CliProcess status = CliProcess.start(dir, own, "status");
      assertThat(status.waitFor(RUN)).isZero();
      assertThat(String.join("\n", status.stdout())).contains("0.0 MB in 0 pgisolated database(s)");
      Matcher port = Pattern.compile("at 127\\.0\\.0\\.1:([0-9]+)").matcher(String.join("\n", status.stdout()));
      assertThat(port.find()).isTrue();
      String password = Files.readString(base.resolve("data.pgisolated/password")).trim();
      List<String> names = new ArrayList<>();
      try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port.group(1) + "/postgres",
          "postgres", password); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("select datname from pg_database where datname not like 'template%' order by 1")) {
        while (rs.next()) {
          names.add(rs.getString(1));
        }
      }
      assertThat(names).containsExactly("app", "pgisolated_0123456789abcdef_0001", "postgres");
    } finally {
      CliProcess stop = CliProcess.start(dir, Map.of("PGISOLATED_EMBEDDED_DATA_DIRECTORY", base.resolve("data").toString(),
          "PGISOLATED_COORDINATOR_DIRECTORY", coordinator.toString()), "clean", "--force");
      stop.waitFor(RUN);
      deleteTree(base);
    }
  }

  private static void deleteTree(Path root) throws Exception {
    if (Files.exists(root)) {
      try (Stream<Path> all = Files.walk(root)) {
        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
