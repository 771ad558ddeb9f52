package io.github.pgisolated.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The command line and the IntegreSQL and pgmanager variables, read as their users write them. */
class CommandLineTests {
  private final List<String> warnings = new ArrayList<>();

  private Settings parse(Map<String, String> env, String... args) {
    return new CommandLine(env, Path.of("/work/app"), warnings::add).parse(args);
  }

  @Test
  void serveListensOnIntegreSqlsDefaultPortOnLoopbackWithItsTimeouts() {
    Settings s = parse(Map.of(), "serve");
    assertThat(s.port()).isEqualTo(5000);
    assertThat(s.address()).isEqualTo("127.0.0.1");
    assertThat(s.finalizeTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(s.getTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(s.minimalLifetime()).isEqualTo(Duration.ofMillis(250));
    assertThat(s.pgmanagerSocket()).as("pgmanager only when asked").isNull();
  }

  @Test
  void integreSqlVariablesSetTheServerAndThePoolSizes() {
    Settings s = parse(Map.of("INTEGRESQL_PORT", "5123", "INTEGRESQL_ADDRESS", "", "INTEGRESQL_TEST_MAX_POOL_SIZE", "40",
        "INTEGRESQL_TEST_INITIAL_POOL_SIZE", "4", "INTEGRESQL_POOL_MAX_PARALLEL_TASKS", "3",
        "INTEGRESQL_TEST_DB_GET_TIMEOUT_MS", "1500", "INTEGRESQL_PGHOST", "db", "INTEGRESQL_PGUSER", "ci"), "serve");
    assertThat(s.port()).isEqualTo(5123);
    assertThat(s.address()).as("empty: every interface, as IntegreSQL").isEqualTo("0.0.0.0");
    assertThat(s.getTimeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(s.coreSettings()).containsEntry("pgisolated.pool.max-size", "40")
        .containsEntry("pgisolated.pool.initial-size", "4").containsEntry("pgisolated.pool.parallel-tasks", "3")
        .containsEntry("pgisolated.postgres", "external")
        .containsEntry("pgisolated.external.url", "jdbc:postgresql://db:5432/postgres")
        .containsEntry("pgisolated.external.user", "ci");
  }

  @Test
  void thePgmanagerSocketIsJoinedToTheWorkingDirectoryAndDefaultsAsPgmanagers() {
    assertThat(parse(Map.of(), "serve", "--pgmanager-socket").pgmanagerSocket())
        .isEqualTo(Path.of("/work/app/tmp/pgmanager.sock"));
    assertThat(parse(Map.of(), "-s", "run/pgm.sock", "serve").pgmanagerSocket()).as("pgmanager's -s before the command")
        .isEqualTo(Path.of("/work/app/run/pgm.sock"));
    assertThat(parse(Map.of(), "serve", "--pgmanager-socket", "/tmp/x.sock").pgmanagerSocket()).isEqualTo(Path.of("/tmp/x.sock"));
    // pgmanager's README promises PGM_SOCKET for serve and wrap (its binary ignores it): here it works.
    assertThat(parse(Map.of("PGM_SOCKET", "s.sock"), "serve").pgmanagerSocket()).isEqualTo(Path.of("/work/app/s.sock"));
    assertThat(parse(Map.of(), "wrap", "--", "true").pgmanagerSocket()).as("wrap always serves it")
        .isEqualTo(Path.of("/work/app/tmp/pgmanager.sock"));
    assertThat(parse(Map.of(), "wrap", "--", "true").port()).as("wrap: a free port").isZero();
  }

  @Test
  void pgmanagerVariablesNameAndCountTheDatabasesWithTheDeprecatedFallbacks() {
    Settings s = parse(Map.of("PGM_DATABASE_PREFIX", "myapp_test", "PGM_DATABASE_COUNT", "16"), "serve");
    assertThat(s.prefix()).isEqualTo("myapp_test");
    assertThat(s.count()).isEqualTo(16);
    assertThat(warnings).isEmpty();
    Settings old = parse(Map.of("DATABASE_PREFIX", "old_", "DATABASE_COUNT", "2"), "serve");
    assertThat(old.prefix()).isEqualTo("old_");
    assertThat(old.count()).isEqualTo(2);
    assertThat(warnings).hasSize(2).allMatch(w -> w.contains("deprecated"));
    assertThat(parse(Map.of(), "serve").count()).isEqualTo(8);
  }

  @Test
  void badValuesAreUsageErrorsThatNameTheValueAndWhatIsAllowed() {
    assertThatThrownBy(() -> parse(Map.of("PGM_DATABASE_COUNT", "many"), "serve"))
        .isInstanceOf(UsageException.class).hasMessageContaining("PGM_DATABASE_COUNT='many'").hasMessageContaining("1 to 1000");
    assertThatThrownBy(() -> parse(Map.of("PGM_DATABASE_COUNT", "0"), "serve")).isInstanceOf(UsageException.class);
    assertThatThrownBy(() -> parse(Map.of("PGM_DATABASE_PREFIX", "pgisolated_x"), "serve"))
        .hasMessageContaining("names pgisolated's own");
    assertThatThrownBy(() -> parse(Map.of("PGM_DATABASE_PREFIX", "bad-name"), "serve")).hasMessageContaining("not usable");
    assertThatThrownBy(() -> parse(Map.of(), "serve", "--port", "http")).hasMessageContaining("--port='http'");
    assertThatThrownBy(() -> parse(Map.of(), "serve", "--lease-ttl", "soon")).hasMessageContaining("500ms, 30s, 10m or 1h");
    assertThatThrownBy(() -> parse(Map.of(), "serve", "--bogus")).hasMessageContaining("Unknown option --bogus");
    assertThatThrownBy(() -> parse(Map.of(), "launch")).hasMessageContaining("Unknown command 'launch'");
    assertThatThrownBy(() -> parse(Map.of(), "wrap")).hasMessageContaining("needs a command to run after --");
    assertThatThrownBy(() -> parse(Map.of(), "serve", "--", "ls")).hasMessageContaining("runs no command");
    assertThatThrownBy(() -> parse(Map.of(), "wrap-each", "-j", "0", "--", "ls")).hasMessageContaining("-j='0'");
  }

  @Test
  void wrapEachTakesPgmanagersFlagsAndTheCommandAfterTheDoubleDash() {
    Settings s = parse(Map.of(), "wrap-each", "-ix", "-j", "4", "--", "dropdb", "--if-exists");
    assertThat(s.ignoreExitCode()).isTrue();
    assertThat(s.appendName()).isTrue();
    assertThat(s.jobs()).isEqualTo(4);
    assertThat(s.childCommand()).containsExactly("dropdb", "--if-exists");
    assertThat(parse(Map.of()).command()).as("no command: the help").isEqualTo("help");
    assertThat(parse(Map.of(), "serve", "--help").command()).isEqualTo("help");
  }
}
