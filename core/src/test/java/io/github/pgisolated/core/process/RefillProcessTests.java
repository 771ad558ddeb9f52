package io.github.pgisolated.core.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.core.DatabaseLease;
import io.github.pgisolated.core.PgIsolatedPool;
import io.github.pgisolated.core.TemplateDefinition;
import io.github.pgisolated.core.TestPostgres;
import io.github.pgisolated.core.internal.engine.PoolEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pool that outlives the run: the last coordinator records what the run needed, a background
 * process refills the pool to it after the run (a real, detached JVM), and the next run adopts
 * those clones ready.
 */
class RefillProcessTests {

  @Test
  void afterARunThePoolIsRefilledToItsPeakAndTheNextRunStartsWithItsClonesReady(@TempDir Path coordination)
      throws Exception {
    TemplateDefinition template = TemplateDefinition.builder().scripts("db/shop.sql")
        .hashInput(UUID.randomUUID().toString()).build();
    Map<String, String> config = Map.of("pgisolated.coordinator.directory", coordination.toString(),
        "pgisolated.pool.initial-size", "1", "pgisolated.pool.max-size", "6", "pgisolated.pool.refill", "true",
        "pgisolated.prefetch", "false");
    String hash;
    System.setProperty("refill.idle-wait-seconds", "0");
    try {
      // The run: four tests at once, each changing the schema, so each clone is used up.
      try (PgIsolatedPool run = PgIsolatedPool.start(TestPostgres.config(config))) {
        hash = ((PoolEngine) run).templateHash(template);
        List<DatabaseLease> leases = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          leases.add(run.lease(template));
        }
        for (DatabaseLease lease : leases) {
          try (Connection c = lease.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("create table scratch (id int)");
          }
          lease.close();
        }
      }
      // The pool kept initial-size ready; the refill brings it to the run's peak, 4, stamped clean.
      // Its log is in the coordinator's directory of this server, under the base.
      Path log;
      try (var files = Files.list(coordination)) {
        log = files.filter(Files::isDirectory).findFirst().orElseThrow().resolve("refill.log");
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      try (PgIsolatedPool observer = PgIsolatedPool.start(TestPostgres.config(Map.of("pgisolated.coordinator", "none")));
          Connection admin = TestPostgres.adminConnection(observer)) {
        while (System.nanoTime() < deadline && !(cleanClones(admin, hash) >= 4 && done(log))) {
          Thread.sleep(100);
        }
        assertThat(cleanClones(admin, hash)).as("clones stamped clean; refill log: %s", read(log)).isGreaterThanOrEqualTo(4);
        assertThat(read(log)).contains("refilled; done");
        assertThat(marker(admin, hash)).as("the run's peak in the template's marker").contains(" demand=4/");
      }
      // The next run: its pool adopts the four ready, without making any.
      try (PgIsolatedPool next = PgIsolatedPool.start(TestPostgres.config(Map.of("pgisolated.coordinator.directory",
          coordination.toString(), "pgisolated.pool.refill", "false", "pgisolated.prefetch", "false")));
          DatabaseLease lease = next.lease(template)) {
        assertThat(lease.database().databaseName()).startsWith("pgisolated_" + hash);
        assertThat(((PoolEngine) next).statistics(hash).ready()).as("ready at once").isGreaterThanOrEqualTo(3);
        assertThat(((PoolEngine) next).report().recreations().count()).as("clones made by the next run").isZero();
      }
    } finally {
      System.clearProperty("refill.idle-wait-seconds");
    }
    try (PgIsolatedPool cleanup = PgIsolatedPool.start(TestPostgres.config(Map.of("pgisolated.coordinator", "none")))) {
      TestPostgres.dropDatabasesOf(cleanup, List.of(hash));
    }
  }

  private static long cleanClones(Connection admin, String hash) throws SQLException {
    try (Statement s = admin.createStatement(); ResultSet rs = s.executeQuery("select count(*) from pg_database where"
        + " shobj_description(oid, 'pg_database') like 'pgisolated:1 clone " + hash + " clean %'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static String marker(Connection admin, String hash) throws SQLException {
    try (Statement s = admin.createStatement(); ResultSet rs = s.executeQuery("select shobj_description(oid, 'pg_database')"
        + " from pg_database where datname = 'pgisolated_" + hash + "_tpl'")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static boolean done(Path log) throws Exception {
    return read(log).contains("refilled; done");
  }

  private static String read(Path log) throws Exception {
    return Files.exists(log) ? Files.readString(log) : "(no log yet)";
  }
}
