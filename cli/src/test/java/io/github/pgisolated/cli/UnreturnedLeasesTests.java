package io.github.pgisolated.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.cli.IntegreSqlClient.Response;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Test databases their IntegreSQL clients never give back (go-starter's way): recycled for a
 * waiting caller once their client has been connected and left, never while it is still
 * connected; and recreated after the lease TTL whatever they do. A pool of 2 makes it visible.
 */
class UnreturnedLeasesTests {
  private static ServeFixture serve;
  private static IntegreSqlClient api;

  @BeforeAll
  static void startServe() throws Exception {
    serve = ServeFixture.start(Map.of("INTEGRESQL_TEST_MAX_POOL_SIZE", "2", "INTEGRESQL_TEST_INITIAL_POOL_SIZE", "2",
        "INTEGRESQL_TEST_DB_GET_TIMEOUT_MS", "20000"), "--lease-ttl", "4s");
    api = serve.client();
  }

  @AfterAll
  static void stopServe() {
    if (serve != null) {
      serve.close();
    }
  }

  @Test
  void aDatabaseItsClientConnectedToAndLeftIsRecycledForAWaiterButNeverWhileConnected() throws Exception {
    String hash = ServeFixture.uniqueHash("unreturned");
    IntegreSqlApiTests.readyTemplate(api, hash, "create table t (x int)");
    try {
      Response done = api.get(hash);
      try (Connection c = done.connect(); Statement s = c.createStatement()) {
        s.execute("insert into t values (1)"); // used, then disconnected: its client is done
      }
      long doneOid = oidOf(done.string("database"));
      Response busy = api.get(hash);
      try (Connection stillConnected = busy.connect()) {
        Response third = CompletableFuture.supplyAsync(() -> {
          try {
            return api.get(hash);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }).get(6, TimeUnit.SECONDS); // well before the 10 s a never-connected database is kept
        assertThat(third.status()).as(third.toString()).isEqualTo(200);
        assertThat(third.string("database")).as("a fresh clone, not the one still connected")
            .isNotEqualTo(busy.string("database"));
        // The one its client left is recreated or dropped (its replacement may have another name).
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (oidOf(done.string("database")) == doneOid && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        assertThat(oidOf(done.string("database"))).as("the database its client left, as it was").isNotEqualTo(doneOid);
        try (Connection c = third.connect()) {
          assertThat(IntegreSqlApiTests.count(c, "select count(*) from t")).isZero();
        }
        assertThat(stillConnected.isValid(2)).as("the connected client was left alone").isTrue();
        api.recreate(hash, third.number("id"));
      }
      api.recreate(hash, busy.number("id"));
    } finally {
      api.discard(hash);
    }
  }

  @Test
  void aDatabaseNeverGivenBackIsRecreatedAfterTheLeaseTtl() throws Exception {
    String hash = ServeFixture.uniqueHash("ttl");
    IntegreSqlApiTests.readyTemplate(api, hash, "create table t (x int)");
    try {
      Response held = api.get(hash);
      String database = held.string("database");
      long oid = oidOf(database);
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (oidOf(database) == oid && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      assertThat(oidOf(database)).as("dropped and cloned again after the 4 s TTL").isNotEqualTo(oid);
      assertThat(api.recreate(hash, held.number("id")).status()).as("its late give-back is harmless").isEqualTo(204);
    } finally {
      api.discard(hash);
    }
  }

  private static long oidOf(String database) throws Exception {
    try (Connection c = serve.admin(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select coalesce((select oid::bigint from pg_database where datname = '" + database
            + "'), 0)")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
