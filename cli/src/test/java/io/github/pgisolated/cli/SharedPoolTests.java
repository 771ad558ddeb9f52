package io.github.pgisolated.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.github.pgisolated.cli.IntegreSqlClient.Response;
import io.github.pgisolated.core.DatabaseLease;
import io.github.pgisolated.core.PgIsolatedConfig;
import io.github.pgisolated.core.TemplateDefinition;
import io.github.pgisolated.core.internal.coordinator.LeaseSocketClient;
import io.github.pgisolated.core.internal.engine.PoolEngine;
import io.github.pgisolated.core.internal.engine.Servers;
import io.github.pgisolated.core.internal.server.PostgresServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * One pool for every language: a {@code pgisolated serve} process (the coordinator) and this JVM,
 * a Java test suite's pool, leasing at the same time, with a small global cap so that both
 * templates' pools compete for room. No database is ever in two places.
 */
class SharedPoolTests {

  @Test
  void aJvmTestSuiteAndAnHttpClientLeaseFromOnePoolAndNoDatabaseIsInTwoPlaces() throws Exception {
    Path schema = Files.createTempDirectory("shared").resolve("owner.sql");
    Files.writeString(schema, "create table owner (who text);\n");
    Map<String, String> sizes = Map.of("PGISOLATED_POOL_MAX_DATABASES", "6", "PGISOLATED_POOL_MAX_SIZE", "4");
    try (ServeFixture serve = ServeFixture.start(sizes);
        PoolEngine jvm = PoolEngine.start(PgIsolatedConfig.from(Map.of("pgisolated.prefetch", "false",
            "pgisolated.pool.max-databases", "6", "pgisolated.pool.max-size", "4")))) {
      IntegreSqlClient api = serve.client();
      String clientHash = ServeFixture.uniqueHash("shared");
      Response init = api.initialize(clientHash);
      try (Connection c = init.connect(); Statement s = c.createStatement()) {
        s.execute("create table owner (who text)");
      }
      assertThat(api.finalizeTemplate(clientHash).status()).isEqualTo(204);
      TemplateDefinition javaTemplate = TemplateDefinition.builder()
          .classLoader(new java.net.URLClassLoader(new java.net.URL[] {schema.getParent().toUri().toURL()}, null))
          .scripts("owner.sql").build();

      Map<String, String> holders = new ConcurrentHashMap<>();
      List<String> problems = Collections.synchronizedList(new ArrayList<>());
      ExecutorService threads = Executors.newFixedThreadPool(8);
      try {
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
          List<Future<?>> all = new ArrayList<>();
          for (int t = 0; t < 4; t++) {
            String me = "jvm-" + t;
            all.add(threads.submit(() -> {
              for (int i = 0; i < 8; i++) {
                try (DatabaseLease lease = jvm.lease(javaTemplate, Duration.ofSeconds(60));
                    Connection c = lease.dataSource().getConnection()) {
                  use(c, lease.database().databaseName(), me, holders, problems);
                }
              }
              return null;
            }));
            String client = "http-" + t;
            all.add(threads.submit(() -> {
              for (int i = 0; i < 8; i++) {
                Response test = api.get(clientHash);
                if (test.status() != 200) {
                  problems.add(client + " got " + test);
                  continue;
                }
                try (Connection c = test.connect()) {
                  use(c, test.string("database"), client, holders, problems);
                }
                api.recreate(clientHash, test.number("id"));
              }
              return null;
            }));
          }
          for (Future<?> f : all) {
            f.get();
          }
        }, "the leases did not finish");
      } finally {
        threads.shutdownNow();
      }
      assertThat(problems).isEmpty();
      assertThat(jvm.isCoordinator()).as("serve elected itself first; this JVM leases through it").isFalse();
      String status;
      try (PostgresServer server = Servers.start(jvm.config());
          LeaseSocketClient coordinator = new LeaseSocketClient(PoolEngine.coordinatorDirectory(jvm.config(), server))) {
        status = coordinator.status();
      }
      assertThat(status).as("one coordinator, both templates' pools").contains(jvm.templateHash(javaTemplate))
          .contains(pgisolatedHash(clientHash));
      api.discard(clientHash);
    }
  }

  /** Marks the database as this holder's, checks nobody else has it or wrote to it, and lets go. */
  private static void use(Connection c, String database, String me, Map<String, String> holders, List<String> problems)
      throws Exception {
    String other = holders.putIfAbsent(database, me);
    if (other != null) {
      problems.add(database + " handed to " + me + " while " + other + " held it");
      return;
    }
    try (Statement s = c.createStatement()) {
      if (IntegreSqlApiTests.count(c, "select count(*) from owner") != 0) {
        problems.add(database + " was not clean for " + me);
      }
      s.execute("insert into owner values ('" + me + "')");
      Thread.sleep(20);
      if (IntegreSqlApiTests.count(c, "select count(*) from owner") != 1) {
        problems.add(database + " had another writer next to " + me);
      }
    } finally {
      holders.remove(database, me);
    }
  }

  /** How serve names a client hash's template (HttpTemplates). */
  private static String pgisolatedHash(String clientHash) throws Exception {
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(("integresql:" + clientHash).getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(digest, 0, 8);
  }
}
