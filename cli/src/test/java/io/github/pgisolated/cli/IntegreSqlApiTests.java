package io.github.pgisolated.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.github.pgisolated.cli.IntegreSqlClient.Response;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * IntegreSQL's REST API, through the JDK's HTTP client against a real {@code pgisolated serve}
 * process, following IntegreSQL's own flow (its manager tests): initialize, migrate, finalize,
 * get, unlock, recreate, discard.
 */
class IntegreSqlApiTests {
  private static ServeFixture serve;
  private static IntegreSqlClient api;

  @BeforeAll
  static void startServe() throws Exception {
    serve = ServeFixture.start(Map.of("INTEGRESQL_TEST_MAX_POOL_SIZE", "8"), "--template-init-timeout", "3s");
    api = serve.client();
  }

  @AfterAll
  static void stopServe() throws Exception {
    if (serve != null) {
      serve.close();
    }
  }

  /** Initializes a template whose client creates {@code ddl}, and finalizes it. */
  static void readyTemplate(String hash, String ddl) throws Exception {
    readyTemplate(api, hash, ddl);
  }

  static void readyTemplate(IntegreSqlClient api, String hash, String ddl) throws Exception {
    Response init = api.initialize(hash);
    assertThat(init.status()).as(init.toString()).isEqualTo(200);
    try (Connection c = init.connect(); Statement s = c.createStatement()) {
      s.execute(ddl);
    }
    assertThat(api.finalizeTemplate(hash).status()).isEqualTo(204);
  }

  static int count(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void oneOfFiveConcurrentInitializersGets200AndTheOthers423ThenWaitForTheFinalize() throws Exception {
    String hash = ServeFixture.uniqueHash("concurrent-init");
    ExecutorService threads = Executors.newFixedThreadPool(10);
    try {
      List<Future<Response>> inits = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        inits.add(threads.submit(() -> api.initialize(hash)));
      }
      List<Response> ok = new ArrayList<>();
      int locked = 0;
      for (Future<Response> f : inits) {
        Response r = f.get(30, TimeUnit.SECONDS);
        if (r.status() == 200) {
          ok.add(r);
        } else {
          assertThat(r.status()).as(r.toString()).isEqualTo(423);
          assertThat(r.body()).contains("\"message\":\"template is already initialized\"");
          locked++;
        }
      }
      assertThat(ok).hasSize(1);
      assertThat(locked).isEqualTo(4);
      Response template = ok.get(0);
      assertThat(template.string("templateHash")).isEqualTo(hash);
      assertThat(serve.commentOf(template.string("database")).orElseThrow()).matches("pgisolated:1 template [0-9a-f]{16} building");

      // The runners that got 423 ask for test databases at once: they wait for the finalize.
      List<Future<Response>> gets = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        gets.add(threads.submit(() -> api.get(hash)));
      }
      try (Connection c = template.connect(); Statement s = c.createStatement()) {
        s.execute("create table pilots (id int primary key, name text); insert into pilots values (1, 'Mario'), (2, 'Nelson')");
      }
      Thread.sleep(500);
      assertThat(gets).noneMatch(Future::isDone);

      assertThat(api.finalizeTemplate(hash).status()).isEqualTo(204);
      assertThat(api.finalizeTemplate(hash).status()).as("finalizing twice").isEqualTo(204);
      assertThat(serve.commentOf(template.string("database")).orElseThrow())
          .matches("pgisolated:1 template [0-9a-f]{16} ready lineage=[0-9a-f]{16} used=[0-9]+");
      for (Future<Response> f : gets) {
        Response test = f.get(30, TimeUnit.SECONDS);
        assertThat(test.status()).as(test.toString()).isEqualTo(200);
        assertThat(test.string("templateHash")).isEqualTo(hash);
        assertThat(test.string("database")).matches("pgisolated_[0-9a-f]{16}_[0-9]{4}");
        assertThat(test.number("id")).isEqualTo(Integer.parseInt(test.string("database").substring(28)));
        try (Connection c = test.connect()) {
          assertThat(count(c, "select count(*) from pilots")).isEqualTo(2);
        }
        assertThat(api.recreate(hash, test.number("id")).status()).isEqualTo(204);
      }
      assertThat(api.initialize(hash).status()).as("initializing a finalized hash").isEqualTo(423);
    } finally {
      threads.shutdownNow();
      api.discard(hash);
    }
  }

  @Test
  void thirtyConcurrentLeasesNeverShareADatabase() throws Exception {
    String hash = ServeFixture.uniqueHash("thirty");
    readyTemplate(hash, "create table owner (who text)");
    Map<String, String> holders = new ConcurrentHashMap<>();
    List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
    ExecutorService threads = Executors.newFixedThreadPool(30);
    try {
      assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
        List<Future<?>> all = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
          String me = "caller-" + i;
          all.add(threads.submit(() -> {
            Response test = api.get(hash);
            if (test.status() != 200) {
              problems.add(me + " got " + test);
              return null;
            }
            String db = test.string("database");
            String other = holders.putIfAbsent(db, me);
            if (other != null) {
              problems.add(db + " handed to " + me + " while " + other + " held it");
            }
            try (Connection c = test.connect(); Statement s = c.createStatement()) {
              if (count(c, "select count(*) from owner") != 0) {
                problems.add(db + " was not clean for " + me);
              }
              s.execute("insert into owner values ('" + me + "')");
              Thread.sleep(30);
              if (count(c, "select count(*) from owner") != 1) {
                problems.add(db + " had another writer next to " + me);
              }
            }
            holders.remove(db, me);
            Response back = api.recreate(hash, test.number("id"));
            if (back.status() != 204) {
              problems.add(me + " could not recreate: " + back);
            }
            return null;
          }));
        }
        for (Future<?> f : all) {
          f.get();
        }
      }, "30 concurrent leases did not finish: deadlocked or starved");
      assertThat(problems).isEmpty();
    } finally {
      threads.shutdownNow();
      api.discard(hash);
    }
  }

  @Test
  void unlockGivesTheDatabaseBackAsItIsAndRecreateGivesItBackClean() throws Exception {
    String hash = ServeFixture.uniqueHash("unlock");
    readyTemplate(hash, "create table notes (text text)");
    List<Integer> held = new ArrayList<>();
    try {
      Response first = api.get(hash);
      int id = first.number("id");
      try (Connection c = first.connect(); Statement s = c.createStatement()) {
        s.execute("insert into notes values ('kept by unlock')");
      }
      assertThat(api.unlock(hash, id).status()).isEqualTo(204);
      assertThat(api.unlock(hash, id).status()).as("unlocking what is not out: a silent 204").isEqualTo(204);

      Response again = leaseUntil(hash, id, held);
      try (Connection c = again.connect()) {
        assertThat(count(c, "select count(*) from notes")).as("unlock keeps the data").isEqualTo(1);
      }
      // IntegreSQL's soft-deprecated alias of unlock.
      assertThat(api.send("DELETE", "/templates/" + hash + "/tests/" + id, null).status()).isEqualTo(204);
      Response third = leaseUntil(hash, id, held);
      assertThat(api.recreate(hash, third.number("id")).status()).isEqualTo(204);
      Response fourth = leaseUntil(hash, id, held);
      try (Connection c = fourth.connect()) {
        assertThat(count(c, "select count(*) from notes")).as("recreate empties it").isZero();
      }
      held.add(id);
    } finally {
      for (int other : held) {
        api.recreate(hash, other);
      }
      api.discard(hash);
    }
  }

  /** Leases until the database with {@code id} comes back, holding the others (in {@code held}). */
  private static Response leaseUntil(String hash, int id, List<Integer> held) throws Exception {
    for (int i = 0; i < 12; i++) {
      Response r = api.get(hash);
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
      if (r.number("id") == id) {
        return r;
      }
      held.add(r.number("id"));
    }
    throw new AssertionError("test database " + id + " never came back");
  }

  @Test
  void aDiscardedTemplateAnswers410UntilItIsInitializedAgain() throws Exception {
    String hash = ServeFixture.uniqueHash("discard");
    readyTemplate(hash, "create table a (x int)");
    Response test = api.get(hash);
    assertThat(test.status()).isEqualTo(200);

    assertThat(api.discard(hash).status()).isEqualTo(204);
    Response gone = api.get(hash);
    assertThat(gone.status()).as(gone.toString()).isEqualTo(410);
    assertThat(gone.body()).contains("template was just discarded");
    assertThat(api.unlock(hash, test.number("id")).status()).isEqualTo(410);
    assertThat(api.finalizeTemplate(hash).status()).isEqualTo(404);
    assertThat(api.discard(hash).status()).as("discarding twice").isEqualTo(404);

    // Initialized again: a new template (a new pgisolated hash), never the discarded clones.
    Response again = api.initialize(hash);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.string("database")).isNotEqualTo("pgisolated_" + test.string("database").substring(11, 27) + "_tpl");
    try (Connection c = again.connect(); Statement s = c.createStatement()) {
      s.execute("create table b (y int)");
    }
    assertThat(api.finalizeTemplate(hash).status()).isEqualTo(204);
    try (Connection c = api.get(hash).connect()) {
      assertThat(count(c, "select count(*) from pg_tables where tablename = 'b'")).isEqualTo(1);
    }

    // DELETE /admin/templates discards every template this server tracks.
    assertThat(api.send("DELETE", "/admin/templates", null).status()).isEqualTo(204);
    assertThat(api.get(hash).status()).isEqualTo(410);
  }

  @Test
  void unknownHashesAndIdsAre404AndMalformedRequests400() throws Exception {
    String unknown = ServeFixture.uniqueHash("never-initialized");
    assertThat(api.get(unknown).status()).isEqualTo(404);
    assertThat(api.get(unknown).body()).isEqualTo("{\"message\":\"template not found\"}");
    assertThat(api.finalizeTemplate(unknown).status()).isEqualTo(404);
    assertThat(api.discard(unknown).status()).isEqualTo(404);
    assertThat(api.unlock(unknown, 1).status()).isEqualTo(404);
    assertThat(api.recreate(unknown, 1).status()).isEqualTo(404);

    String hash = ServeFixture.uniqueHash("ids");
    readyTemplate(hash, "select 1");
    try {
      assertThat(api.unlock(hash, 321).status()).as("an id never handed out").isEqualTo(404);
      assertThat(api.recreate(hash, 321).status()).isEqualTo(404);
      assertThat(api.unlock(hash, "abc").status()).as("an id that is not a number").isEqualTo(400);

      assertThat(api.send("POST", "/templates", "{\"hash\": ").status()).isEqualTo(400);
      assertThat(api.send("POST", "/templates", "[\"hash\"]").status()).isEqualTo(400);
      assertThat(api.send("POST", "/templates", "{\"hash\": 42}").status()).isEqualTo(400);
      Response empty = api.send("POST", "/templates", "{\"hash\": \"\"}");
      assertThat(empty.status()).isEqualTo(400);
      assertThat(empty.body()).contains("hash is required");
      assertThat(api.send("POST", "/templates", "{}").status()).isEqualTo(400);
      assertThat(api.send("GET", "/nothing/here", null).status()).isEqualTo(404);
      assertThat(api.send("PATCH", "/templates/" + hash, null).status()).isEqualTo(405);
      // Trailing slashes are ignored, as IntegreSQL strips them.
      Response slash = api.send("GET", "/templates/" + hash + "/tests/", null);
      assertThat(slash.status()).isEqualTo(200);
      // Nothing bad input did was lost: the template still serves.
      assertThat(api.recreate(hash, slash.number("id")).status()).isEqualTo(204);
    } finally {
      api.discard(hash);
    }
  }

  @Test
  void aClientThatDiesMidInitNeverLeavesTheTemplateStuck() throws Exception {
    String hash = ServeFixture.uniqueHash("dies");
    // A real client process: initializes, connects to the template to migrate it, and is killed.
    Process client = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), DyingIntegreSqlClient.class.getName(),
        serve.env.get("INTEGRESQL_CLIENT_BASE_URL"), hash).redirectErrorStream(true).start();
    String said = String.valueOf(new java.io.BufferedReader(new java.io.InputStreamReader(client.getInputStream(),
        java.nio.charset.StandardCharsets.UTF_8)).readLine());
    assertThat(said).as("the client's output").startsWith("migrating pgisolated_");
    String template = said.substring("migrating ".length()).trim();
    java.util.concurrent.CompletableFuture<Response> waiting = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return api.get(hash);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    client.destroyForcibly().waitFor();
    assertThat(api.initialize(hash).status()).as("while its init has not timed out").isEqualTo(423);

    // serve runs with --template-init-timeout 3s: the waiter is released with 410, not after a minute.
    Response released = waiting.get(30, TimeUnit.SECONDS);
    assertThat(released.status()).as(released.toString()).isEqualTo(410);
    assertThat(released.body()).contains("did not finalize");
    assertThat(serve.commentOf(template).orElseThrow()).startsWith("pgisolated:1 template ").contains(" failed at=");

    // The next runner initializes it again (the failed template is dropped) and all is well.
    try {
      readyTemplate(hash, "create table again (x int)");
      Response test = api.get(hash);
      assertThat(test.status()).isEqualTo(200);
      assertThat(api.recreate(hash, test.number("id")).status()).isEqualTo(204);
    } finally {
      api.discard(hash);
    }
  }

  @Test
  void aServeKilledMidInitLeavesAnUnclaimedTemplateThatTheNextInitializeRebuilds() throws Exception {
    String hash = ServeFixture.uniqueHash("server-dies");
    try (ServeFixture other = ServeFixture.start(Map.of())) {
      Response init = other.client().initialize(hash);
      assertThat(init.status()).isEqualTo(200);
      // SIGKILL: no clean-up at all; its claim on the template dies with its session.
      new ProcessBuilder("kill", "-KILL", Long.toString(other.process.pid())).start().waitFor();
      other.process.waitFor(Duration.ofSeconds(30));
      // Left half-built, or already dropped by a collector (any JVM's on this server) that found its
      // claim gone: never stuck in init.
      java.util.Optional<String> left = serve.commentOf(init.string("database"));
      assertThat(left).as("the killed serve's template").satisfiesAnyOf(
          marker -> assertThat(marker).isEmpty(), marker -> assertThat(marker.orElseThrow()).endsWith(" building"));
    }
    try {
      // This serve has never seen the hash: the half-built template is dropped and created again.
      readyTemplate(hash, "create table rebuilt (x int)");
      Response test = api.get(hash);
      try (Connection c = test.connect()) {
        assertThat(count(c, "select count(*) from pg_tables where tablename = 'rebuilt'")).isEqualTo(1);
      }
      assertThat(api.recreate(hash, test.number("id")).status()).isEqualTo(204);
    } finally {
      api.discard(hash);
    }
  }
}
