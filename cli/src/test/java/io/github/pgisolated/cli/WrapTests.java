package io.github.pgisolated.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * wrap and wrap-each running real child commands ({@code sh}, Debian's {@code psql}, {@code curl}),
 * each in a real {@code pgisolated} process: the variables they get, exit codes and signals.
 */
class WrapTests {
  private static final Duration RUN = Duration.ofSeconds(90);
  private static Path dir;
  private static Map<String, String> env;

  @BeforeAll
  static void directory() throws Exception {
    dir = Files.createTempDirectory("pgisolated-wrap");
    env = Map.of("PGM_DATABASE_PREFIX", "wrap_cli_test_",
        "PGM_DATABASE_COUNT", "3");
  }

  private static CliProcess pgisolated(String... args) throws Exception {
    return CliProcess.start(dir, env, args);
  }

  @Test
  void wrapRunsTheCommandWithTheVariablesThatPointAtThePoolAndExitsWithItsCode() throws Exception {
    String hash = ServeFixture.uniqueHash("wrap");
    // The child leases over both protocols and reaches the server with psql, then exits 7.
    String script = String.join("\n",
        "set -e",
        "test -S \"$PGMANAGER_SOCKET\"",
        "test \"$PGM_SOCKET\" = \"$PGMANAGER_SOCKET\"",
        "test \"$INTEGRESQL_URL/api\" = \"$INTEGRESQL_CLIENT_BASE_URL\"",
        "code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -d '{\"hash\":\"" + hash + "\"}' "
            + "\"$INTEGRESQL_CLIENT_BASE_URL/v1/templates\")",
        "test \"$code\" = 200",
        "echo \"psql: $(psql -Atc 'select 41 + 1' postgres)\"",
        "curl -s -o /dev/null -X DELETE \"$INTEGRESQL_CLIENT_BASE_URL/v1/templates/" + hash + "\"",
        "exit 7");
    try (CliProcess wrap = pgisolated("wrap", "--", "sh", "-c", script)) {
      assertThat(wrap.waitFor(RUN)).as(String.join("\n", wrap.stderr())).isEqualTo(7);
      assertThat(wrap.stdout()).contains("psql: 42");
      assertThat(dir.resolve("tmp/pgmanager.sock")).as("the socket is removed").doesNotExist();
    }
  }

  @Test
  void wrapExitsWith1WhenTheCommandDiesFromASignalAnd127WhenThereIsNoSuchCommand() throws Exception {
    try (CliProcess wrap = pgisolated("wrap", "--", "sh", "-c", "kill -KILL $$")) {
      assertThat(wrap.waitFor(RUN)).isEqualTo(1);
    }
    try (CliProcess wrap = pgisolated("wrap", "--", "no-such-command-" + UUID.randomUUID())) {
      assertThat(wrap.waitFor(RUN)).isEqualTo(127);
      assertThat(String.join("\n", wrap.stderr())).contains("no such command");
    }
  }

  @Test
  void wrapPassesSigtermOnToTheCommand() throws Exception {
    try (CliProcess wrap = pgisolated("wrap", "--", "sh", "-c",
        "trap 'echo got TERM; exit 5' TERM; echo started; while true; do sleep 0.1; done")) {
      long deadline = System.nanoTime() + RUN.toNanos();
      while (!wrap.stdout().contains("started") && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      wrap.signal("TERM");
      assertThat(wrap.waitFor(RUN)).isEqualTo(5);
      assertThat(wrap.stdout()).contains("got TERM");
    }
  }

  @Test
  void wrapEachRunsTheCommandOncePerDatabaseInOrderWithPsqlReady() throws Exception {
    Path out = dir.resolve("each-" + UUID.randomUUID());
    String script = "echo \"$PGM_DATABASE_SHARD $1 $(psql -Atc 'select current_database()')\" >> '" + out + "'";
    try (CliProcess each = pgisolated("wrap-each", "-x", "--", "sh", "-c", script, "sh")) {
      assertThat(each.waitFor(RUN)).as(String.join("\n", each.stderr())).isZero();
    }
    String prefix = env.get("PGM_DATABASE_PREFIX");
    assertThat(Files.readAllLines(out)).containsExactly(
        "0 " + prefix + "0 " + prefix + "0", "1 " + prefix + "1 " + prefix + "1", "2 " + prefix + "2 " + prefix + "2");
  }

  @Test
  void wrapEachStopsAtTheFirstFailureWithItsCodeUnlessToldToIgnoreExitCodes() throws Exception {
    Path out = dir.resolve("fail-" + UUID.randomUUID());
    String script = "echo $PGM_DATABASE_SHARD >> '" + out + "'; test $PGM_DATABASE_SHARD != 1 || exit 3";
    try (CliProcess each = pgisolated("wrap-each", "--", "sh", "-c", script)) {
      assertThat(each.waitFor(RUN)).isEqualTo(3);
    }
    assertThat(Files.readAllLines(out)).containsExactly("0", "1");
    Files.delete(out);
    try (CliProcess each = pgisolated("wrap-each", "-i", "--", "sh", "-c", script)) {
      assertThat(each.waitFor(RUN)).isZero();
    }
    assertThat(Files.readAllLines(out)).containsExactly("0", "1", "2");
  }

  @Test
  void wrapEachWithJRunsThatManyAtOnce() throws Exception {
    Path marks = Files.createDirectory(dir.resolve("marks-" + UUID.randomUUID()));
    // Each command waits (at most 20 s) until all three have started: only possible three at a time.
    String script = "touch '" + marks + "'/$PGM_DATABASE_SHARD; i=0; while [ $(ls '" + marks + "' | wc -l) -lt 3 ]; do "
        + "i=$((i+1)); [ $i -gt 200 ] && exit 9; sleep 0.1; done";
    try (CliProcess each = pgisolated("wrap-each", "-j", "3", "--", "sh", "-c", script)) {
      assertThat(each.waitFor(RUN)).as(String.join("\n", each.stderr())).isZero();
    }
    assertThat(List.of(marks.toFile().list())).containsExactlyInAnyOrder("0", "1", "2");
  }
}
