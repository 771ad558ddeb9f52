package io.github.pgisolated.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pgisolated.core.internal.engine.PoolEngine;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Read-only leases given back without being recreated, failed tests' databases kept for
 * debugging, and the global cap on databases shared by several templates' pools.
 */
class LeaseOptionsTests {
  private final List<String> hashes = new ArrayList<>();
  private final List<PgIsolatedPool> pools = new ArrayList<>();

  @AfterEach
  void dropWhatTheTestMade() throws SQLException {
    if (pools.isEmpty()) {
      return;
    }
    for (PgIsolatedPool pool : pools) {
      pool.close();
    }
    TestPostgres.dropDatabasesOf(pools.get(0), hashes);
    try (Connection admin = TestPostgres.adminConnection(pools.get(0)); Statement s = admin.createStatement()) {
      for (String hash : hashes) {
        s.execute("drop database if exists \"pgisolated_" + hash + "_k0001\" with (force)");
      }
    }
  }

  private PgIsolatedPool pool(Map<String, String> config) {
    java.util.HashMap<String, String> all = new java.util.HashMap<>(config);
    all.put("pgisolated.coordinator", "none");
    PgIsolatedPool pool = PgIsolatedPool.start(TestPostgres.config(all));
    pools.add(pool);
    return pool;
  }

  private TemplateDefinition template(PgIsolatedPool pool) {
    TemplateDefinition template = TemplateDefinition.builder().scripts("db/shop.sql").hashInput(UUID.randomUUID().toString())
        .build();
    hashes.add(((PoolEngine) pool).templateHash(template));
    return template;
  }

  @Test
  void aReadOnlyLeaseRefusesWritesAndGoesBackWithoutBeingRecreated() throws Exception {
    PgIsolatedPool pool = pool(Map.of("pgisolated.pool.initial-size", "1", "pgisolated.pool.max-size", "1"));
    TemplateDefinition template = template(pool);
    long oid;
    String name;
    try (DatabaseLease lease = pool.lease(template, Duration.ofSeconds(30), LeaseMode.READ_ONLY);
        Connection c = lease.dataSource().getConnection(); Statement s = c.createStatement()) {
      name = lease.database().databaseName();
      oid = oid(s);
      assertThat(count(s, "select count(*) from customer")).isEqualTo(2);
      assertThatThrownBy(() -> s.execute("insert into customer (name) values ('mallory')"))
          .isInstanceOf(SQLException.class).hasMessageContaining("read-only transaction");
    }
    try (DatabaseLease lease = pool.lease(template, Duration.ofSeconds(30), LeaseMode.READ_WRITE);
        Connection c = lease.dataSource().getConnection(); Statement s = c.createStatement()) {
      assertThat(lease.database().databaseName()).isEqualTo(name);
      assertThat(oid(s)).as("the same database, not a recreated one").isEqualTo(oid);
      s.execute("insert into customer (name) values ('writes again')");
    }
  }

  @Test
  void aReadOnlyLeaseIsRecreatedWhenSomethingWasLeftOpenOrItWasMarkedChanged() throws Exception {
    PgIsolatedPool pool = pool(Map.of("pgisolated.pool.initial-size", "1", "pgisolated.pool.max-size", "1"));
    TemplateDefinition template = template(pool);
    long first;
    Connection leaked;
    try (DatabaseLease lease = pool.lease(template, Duration.ofSeconds(30), LeaseMode.READ_ONLY)) {
      PgDatabase db = lease.database();
      leaked = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
      try (Statement s = leaked.createStatement()) {
        first = oid(s);
      }
    }
    long second;
    try (DatabaseLease lease = pool.lease(template, Duration.ofSeconds(30), LeaseMode.READ_ONLY);
        Connection c = lease.dataSource().getConnection(); Statement s = c.createStatement()) {
      second = oid(s);
      assertThat(second).as("recreated: a session was left open").isNotEqualTo(first);
      lease.markChanged();
    }
    try (DatabaseLease lease = pool.lease(template, Duration.ofSeconds(30), LeaseMode.READ_ONLY);
        Connection c = lease.dataSource().getConnection(); Statement s = c.createStatement()) {
      assertThat(oid(s)).as("recreated: marked changed").isNotEqualTo(second);
    }
    // The used clones are dropped once the pool is idle, leaked sessions and all.
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (leaked.isValid(1) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(leaked.isValid(1)).as("the leaked session was terminated").isFalse();
    leaked.close();
  }

  @Test
  void aKeptDatabaseLeavesThePoolUnderItsOwnNameAndALaterRunDropsIt() throws Exception {
    PgIsolatedPool pool = pool(Map.of("pgisolated.pool.initial-size", "1", "pgisolated.pool.max-size", "1"));
    TemplateDefinition template = template(pool);
    String hash = hashes.get(hashes.size() - 1);
    DatabaseLease lease = pool.lease(template);
    try (Connection c = lease.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("insert into customer (name) values ('evidence')");
    }
    Optional<PgDatabase> kept = lease.keep("ShopTest.failsOnPurpose");
    assertThat(kept).isPresent();
    assertThat(kept.get().databaseName()).isEqualTo("pgisolated_" + hash + "_k0001");
    try (Connection c = DriverManager.getConnection(kept.get().jdbcUrl(), kept.get().user(), kept.get().password());
        Statement s = c.createStatement()) {
      assertThat(count(s, "select count(*) from customer where name = 'evidence'")).isEqualTo(1);
      assertThat(comment(s, kept.get().databaseName())).startsWith("pgisolated:1 kept " + hash + " run=")
          .endsWith("\nShopTest.failsOnPurpose");
    }
    try (DatabaseLease next = pool.lease(template, Duration.ofSeconds(30))) {
      assertThat(next.database().databaseName()).as("the pool made a new clone").isNotEqualTo(kept.get().databaseName());
    }
    // Pretend the run that kept it has ended: a later coordinator drops it.
    try (Connection admin = TestPostgres.adminConnection(pool); Statement s = admin.createStatement()) {
      s.execute("comment on database \"" + kept.get().databaseName() + "\" is 'pgisolated:1 kept " + hash
          + " run=" + deadPid() + "@1 at=" + System.currentTimeMillis() + "\nShopTest.failsOnPurpose'");
    }
    PgIsolatedPool later = pool(Map.of());
    try (DatabaseLease any = later.lease(template)) {
      assertThat(any.database().databaseName()).startsWith("pgisolated_" + hash);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (TestPostgres.databaseExists(pool, kept.get().databaseName()) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(TestPostgres.databaseExists(pool, kept.get().databaseName())).isFalse();
  }

  @Test
  void anIdleTemplatesPoolGivesItsRoomToABusyOneUnderTheGlobalCap() throws Exception {
    PgIsolatedPool pool = pool(Map.of("pgisolated.pool.initial-size", "2", "pgisolated.pool.max-size", "3",
        "pgisolated.pool.max-databases", "3"));
    TemplateDefinition idle = template(pool);
    TemplateDefinition busy = template(pool);
    try (DatabaseLease once = pool.lease(idle)) {
      assertThat(once.database().databaseName()).isNotBlank();
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    String idleHash = hashes.get(0);
    while (ready(pool, idleHash) < 2 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    List<DatabaseLease> held = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        held.add(pool.lease(busy, Duration.ofSeconds(20)));
      }
      assertThat(held.stream().map(l -> l.database().databaseName()).distinct()).hasSize(3);
      assertThat(((PoolEngine) pool).statistics(idleHash).ready()).as("the idle pool gave its clones up").isZero();
      assertThatThrownBy(() -> pool.lease(busy, Duration.ofMillis(300)))
          .isInstanceOf(UnableToLeaseDatabaseException.class)
          .hasMessageContaining("All 3 databases pgisolated.pool.max-databases allows are in use");
    } finally {
      held.forEach(DatabaseLease::close);
    }
  }

  private static int ready(PgIsolatedPool pool, String hash) {
    var stats = ((PoolEngine) pool).statistics(hash);
    return stats == null ? 0 : stats.ready();
  }

  private static long deadPid() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    return p.pid();
  }

  private static long oid(Statement s) throws SQLException {
    return count(s, "select oid from pg_database where datname = current_database()");
  }

  private static String comment(Statement s, String database) throws SQLException {
    try (ResultSet rs = s.executeQuery("select shobj_description(oid, 'pg_database') from pg_database where datname = '"
        + database + "'")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static long count(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
