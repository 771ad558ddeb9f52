package io.github.pgisolated.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * pgmanager's socket protocol against a real {@code pgisolated serve --pgmanager-socket} with two
 * databases cloned from a template: plain socket clients, a Python client, a client that sends
 * bytes, one that dies and one that gives up while waiting.
 */
class PgManagerProtocolTests {
  private static final Duration REPLY = Duration.ofSeconds(10);
  private static ServeFixture serve;
  private static Path socket;
  private static String prefix;

  @BeforeAll
  static void startServe() throws Exception {
    // Stable names: the next run reuses the template and the databases instead of adding new ones.
    Path schema = Files.createTempDirectory("pgmanager").resolve("schema.sql");
    Files.writeString(schema, "create table notes (text text);\ninsert into notes values ('from the template');\n");
    prefix = "pgm_cli_test_";
    socket = Files.createTempDirectory("pgm").resolve("tmp/pgmanager.sock");
    serve = ServeFixture.start(Map.of("PGM_DATABASE_PREFIX", prefix, "PGM_DATABASE_COUNT", "2"),
        "--no-http", "--pgmanager-socket", socket.toString(), "--template", schema.toString());
  }

  @AfterAll
  static void stopServe() {
    if (serve != null) {
      serve.close();
    }
  }

  private static Connection connect(String database) throws Exception {
    return DriverManager.getConnection("jdbc:postgresql://" + serve.env.get("PGHOST") + ":" + serve.env.get("PGPORT") + "/"
        + database, serve.env.get("PGUSER"), serve.env.get("PGPASSWORD"));
  }

  private static int notes(String database) throws Exception {
    try (Connection c = connect(database); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select count(*) from notes")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void aClientThatConnectsAndReadsGetsOkAndADatabaseNameWithNoTerminator() throws Exception {
    assertThat(serve.env.get("PGMANAGER_SOCKET")).isEqualTo(socket.toString());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
    try (PgManagerClient client = PgManagerClient.connect(socket)) {
      String reply = client.read(REPLY);
      assertThat(reply).matches("OK:" + prefix + "[01]");
      assertThat(notes(reply.substring(3))).as("cloned from the template").isEqualTo(1);
    }
  }

  @Test
  void aDatabaseComesBackCleanAfterItsConnectionEndsAndLeasesWaitForOne() throws Exception {
    PgManagerClient first = PgManagerClient.connect(socket);
    String a = first.lease(REPLY);
    try (Connection c = connect(a); Statement s = c.createStatement()) {
      s.execute("insert into notes values ('written by a test')");
    }
    try (PgManagerClient second = PgManagerClient.connect(socket)) {
      String b = second.lease(REPLY);
      assertThat(b).isNotEqualTo(a);
      try (PgManagerClient third = PgManagerClient.connect(socket)) {
        assertThat(third.read(Duration.ofMillis(500))).as("both are out: the third waits").isEmpty();
        first.close();
        assertThat(third.lease(REPLY)).isEqualTo(a);
        assertThat(notes(a)).as("recreated from the template before it came back").isEqualTo(1);
      }
    }
  }

  @Test
  void aClientThatSendsBytesGivesItsDatabaseBackInsteadOfLeakingIt() throws Exception {
    try (PgManagerClient holder = PgManagerClient.connect(socket)) {
      String held = holder.lease(REPLY);
      String chatty;
      try (PgManagerClient client = PgManagerClient.connect(socket)) {
        chatty = client.lease(REPLY);
        client.send("RETURN\n");
        assertThat(client.read(REPLY)).as("the server ends the lease and closes").isEmpty();
      }
      try (PgManagerClient next = PgManagerClient.connect(socket)) {
        assertThat(next.lease(REPLY)).isEqualTo(chatty).isNotEqualTo(held);
      }
    }
  }

  @Test
  void aPythonClientThatIsKilledGivesItsDatabaseBack() throws Exception {
    Assumptions.assumeTrue(new ProcessBuilder("python3", "--version").start().waitFor() == 0, "python3 is installed");
    Process python = new ProcessBuilder("python3", "-c", String.join("\n",
        "import socket, sys, time",
        "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)",
        "s.connect(sys.argv[1])",
        "print(s.recv(1024).decode(), flush=True)",
        "time.sleep(600)"), socket.toString()).redirectErrorStream(true).start();
    try (PgManagerClient other = PgManagerClient.connect(socket)) {
      String line = new java.io.BufferedReader(new java.io.InputStreamReader(python.getInputStream())).readLine();
      assertThat(line).matches("OK:" + prefix + "[01]");
      String theirs = line.substring(3);
      String mine = other.lease(REPLY);
      assertThat(mine).isNotEqualTo(theirs);
      python.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      try (PgManagerClient next = PgManagerClient.connect(socket)) {
        assertThat(next.lease(REPLY)).isEqualTo(theirs);
      }
    } finally {
      python.destroyForcibly();
    }
  }

  @Test
  void aClientThatGivesUpWhileWaitingLosesNothing() throws Exception {
    PgManagerClient one = PgManagerClient.connect(socket);
    try (PgManagerClient two = PgManagerClient.connect(socket)) {
      List<String> held = List.of(one.lease(REPLY), two.lease(REPLY));
      PgManagerClient quitter = PgManagerClient.connect(socket);
      Thread.sleep(300);
      quitter.close();
      Thread.sleep(300);
      one.close();
      try (PgManagerClient next = PgManagerClient.connect(socket)) {
        assertThat(next.lease(REPLY)).as("not handed to the client that left").isEqualTo(held.get(0));
      }
    } finally {
      one.close();
    }
  }

  @Test
  void aSecondServerOnALiveSocketIsRefusedAndAStaleSocketFileIsReplaced() throws Exception {
    Path dir = Files.createTempDirectory("pgm-stale");
    try (CliProcess second = CliProcess.start(dir, Map.of("PGM_DATABASE_PREFIX", prefix + "x_", "PGM_DATABASE_COUNT", "1"), "serve", "--no-http",
        "--pgmanager-socket", socket.toString())) {
      assertThat(second.waitFor(Duration.ofSeconds(60))).isEqualTo(125);
      assertThat(String.join("\n", second.stderr())).contains("Another server is listening on the pgmanager socket");
    }
    // A socket file whose server died (bound, never removed).
    Path stale = dir.resolve("stale.sock");
    ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(stale)).close();
    assertThat(stale).exists();
    try (CliProcess third = CliProcess.start(dir, Map.of("PGM_DATABASE_PREFIX", prefix + "y_", "PGM_DATABASE_COUNT", "1"),
        "serve", "--no-http", "--pgmanager-socket", "stale.sock")) {
      third.awaitStderr("pgisolated serve is ready", Duration.ofSeconds(60));
      try (PgManagerClient client = PgManagerClient.connect(stale)) {
        assertThat(client.lease(REPLY)).isEqualTo(prefix + "y_0");
      }
      boolean interruptible = !CliProcess.sigintIgnoredHere();
      // Started with SIGINT ignored (a background job of a script), the CLI can't see SIGINT: stop it with SIGTERM.
      third.signal(interruptible ? "INT" : "TERM");
      assertThat(third.waitFor(Duration.ofSeconds(30))).as("SIGINT (or SIGTERM): a clean exit").isZero();
      assertThat(stale).as("the socket file is removed").doesNotExist();
      assertThat(String.join("\n", third.stderr())).contains("pgmanager databases: peak 1 of 1 leased at once");
    }
  }
}
