package io.github.pgisolated.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.zaxxer.hikari.HikariDataSource;
import io.github.pgisolated.core.internal.engine.PoolEngine;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The next lease of a template is fetched ahead, with a warm connection, and never starves a test. */
class PrefetchTests {

  private static PgIsolatedConfig config(Map<String, String> extra) {
    java.util.HashMap<String, String> all = new java.util.HashMap<>(extra);
    all.put("pgisolated.prefetch", "true");
    all.put("pgisolated.coordinator", "none");
    return TestPostgres.config(all);
  }

  @Test
  void theNextTestGetsADatabaseWhoseConnectionIsAlreadyOpen() throws Exception {
    TemplateDefinition template = TemplateDefinition.builder().scripts("db/shop.sql").hashInput(UUID.randomUUID().toString())
        .build();
    try (PgIsolatedPool pool = PgIsolatedPool.start(config(Map.of()))) {
      try (DatabaseLease first = pool.lease(template)) {
        assertThat(first.database().databaseName()).isNotBlank();
        // The prefetch runs while this "test" runs.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
          Thread.sleep(20);
          if (((PoolEngine) pool).statistics(((PoolEngine) pool).templateHash(template)).leased() == 2) {
            break;
          }
        }
      }
      try (DatabaseLease second = pool.lease(template)) {
        HikariDataSource warm = second.dataSource().unwrap(HikariDataSource.class);
        assertThat(warm.getHikariPoolMXBean().getIdleConnections()).as("an open connection waiting").isEqualTo(1);
        try (Connection c = warm.getConnection(); Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("select count(*) from customer")) {
          rs.next();
          assertThat(rs.getInt(1)).as("a fresh clone").isEqualTo(2);
        }
      }
      TestPostgres.dropDatabasesOf(pool, List.of(((PoolEngine) pool).templateHash(template)));
    }
  }

  @Test
  void aPrefetchNeverHoldsTheOnlyCloneAwayFromATestThatNeedsIt() {
    TemplateDefinition template = TemplateDefinition.builder().scripts("db/shop.sql").hashInput(UUID.randomUUID().toString())
        .build();
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      try (PgIsolatedPool pool = PgIsolatedPool.start(config(Map.of("pgisolated.pool.initial-size", "1",
          "pgisolated.pool.max-size", "1", "pgisolated.lease-timeout", "20s")))) {
        Set<Long> databases = new HashSet<>();
        for (int i = 0; i < 10; i++) {
          try (DatabaseLease lease = pool.lease(template); Connection c = lease.dataSource().getConnection();
              Statement s = c.createStatement()) {
            s.execute("insert into customer (name) values ('only clone')");
            try (ResultSet rs = s.executeQuery("select count(*) from customer")) {
              rs.next();
              assertThat(rs.getInt(1)).as("fresh every time").isEqualTo(3);
            }
            databases.add((long) lease.database().databaseName().hashCode());
          }
        }
        assertThat(databases).as("one clone, put back in place after every lease").hasSize(1);
        TestPostgres.dropDatabasesOf(pool, List.of(((PoolEngine) pool).templateHash(template)));
      }
    }, "a prefetch starved a test of the only clone");
  }
}
