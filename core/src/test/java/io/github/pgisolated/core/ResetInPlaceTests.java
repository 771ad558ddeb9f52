package io.github.pgisolated.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.github.pgisolated.core.internal.engine.PoolEngine;
import io.github.pgisolated.core.internal.report.RunReport;
import io.github.pgisolated.core.internal.reset.ResetVerificationException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A test that changed only rows and sequences gets them put back in the same database, which
 * serves the next test with its warm connections; anything else means the database is recreated.
 * Verification mode is on: every reset is checked against the template (rows, sequences,
 * catalogs), so a reset that left a difference fails here.
 */
class ResetInPlaceTests {
  private static PgIsolatedPool pool;
  private static TemplateDefinition template;
  private static final List<String> HASHES = new ArrayList<>();

  @BeforeAll
  static void startPool() {
    pool = PgIsolatedPool.start(TestPostgres.config(Map.of("pgisolated.coordinator", "none",
        "pgisolated.pool.initial-size", "1", "pgisolated.pool.max-size", "4", "pgisolated.reset.verify", "true")));
    template = TemplateDefinition.builder().scripts("db/reset.sql").hashInput(UUID.randomUUID().toString()).build();
    HASHES.add(((PoolEngine) pool).templateHash(template));
  }

  @AfterAll
  static void closePool() throws SQLException {
    pool.close();
    TestPostgres.dropDatabasesOf(pool, HASHES);
  }

  /** What became of one test's database, from the run report. */
  private record Outcome(String path, String database) {}

  private static Outcome use(String... statements) throws SQLException {
    return use(ResetMode.AUTO, statements);
  }

  private static Outcome use(ResetMode reset, String... statements) throws SQLException {
    RunReport report = ((PoolEngine) pool).report();
    long resets = report.resets().count();
    int unchanged = report.unchanged();
    Map<String, Integer> reasons = report.recreationReasons();
    String name;
    try (DatabaseLease lease = pool.lease(template, Duration.ofSeconds(30), LeaseMode.READ_WRITE, reset)) {
      name = lease.database().databaseName();
      try (Connection c = lease.dataSource().getConnection(); Statement s = c.createStatement()) {
        for (String statement : statements) {
          s.execute(statement);
        }
      }
    }
    // Verification mode resets on the releasing thread: the report is complete now.
    if (report.resets().count() > resets) {
      return new Outcome("reset", name);
    }
    if (report.unchanged() > unchanged) {
      return new Outcome("unchanged", name);
    }
    Map<String, Integer> now = report.recreationReasons();
    for (Map.Entry<String, Integer> reason : now.entrySet()) {
      if (reason.getValue() > reasons.getOrDefault(reason.getKey(), 0)) {
        return new Outcome("recreate: " + reason.getKey(), name);
      }
    }
    throw new AssertionError("The report shows nothing for the lease of " + name);
  }

  private static long query(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static String text(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** The template's rows, as the next test must see them. */
  private static void assertSeedState(Statement s) throws SQLException {
    assertThat(query(s, "select count(*) from customer")).isEqualTo(3);
    assertThat(query(s, "select count(*) from orders")).isEqualTo(3);
    assertThat(query(s, "select count(*) from order_line")).isEqualTo(4);
    assertThat(query(s, "select count(*) from audit")).as("the trigger's rows").isEqualTo(3);
    assertThat(query(s, "select count(*) from event")).isEqualTo(2);
    assertThat(query(s, "select length(body) from document where id = 1")).isEqualTo(400 * 32);
  }

  @Test
  void rowsATestChangedArePutBackAndTheNextTestGetsTheSameDatabaseWithWarmConnections() throws SQLException {
    HikariDataSource first;
    String name;
    try (DatabaseLease lease = pool.lease(template); Connection c = lease.dataSource().getConnection();
        Statement s = c.createStatement()) {
      name = lease.database().databaseName();
      first = lease.dataSource().unwrap(HikariDataSource.class);
      s.execute("insert into customer (email, name) values ('alan@example.com', 'Alan')");
      s.execute("update orders set status = 'PAID' where id = 1");
      s.execute("delete from order_line where order_id = 2");
    }
    try (DatabaseLease lease = pool.lease(template)) {
      assertThat(lease.database().databaseName()).isEqualTo(name);
      HikariDataSource again = lease.dataSource().unwrap(HikariDataSource.class);
      assertThat(again).as("the same connection pool").isSameAs(first);
      assertThat(again.getHikariPoolMXBean().getIdleConnections()).as("a warm connection waiting").isPositive();
      try (Connection c = lease.dataSource().getConnection(); Statement s = c.createStatement()) {
        assertSeedState(s);
        assertThat(text(s, "select string_agg(status, ',' order by id) from orders")).isEqualTo("NEW,NEW,NEW");
        s.execute("insert into customer (email, name) values ('alan@example.com', 'Alan')");
        assertThat(query(s, "select max(id) from customer")).as("the sequence is back too").isEqualTo(4);
      }
    }
  }

  @Test
  void rowsWhoseKeyATestChangedComeBackUnderTheirOwnKey() throws SQLException {
    assertThat(use("update customer set id = 1003 where id = 3", "update order_line set line = 9 where order_id = 3",
        "update orders set total_cents = 1 where id = 2").path()).isEqualTo("reset");
    try (DatabaseLease lease = pool.lease(template); Connection c = lease.dataSource().getConnection();
        Statement s = c.createStatement()) {
      assertSeedState(s);
      assertThat(query(s, "select count(*) from customer where id = 3")).isEqualTo(1);
      assertThat(query(s, "select count(*) from order_line where order_id = 3 and line = 1")).isEqualTo(1);
    }
  }

  @Test
  void aTestThatChangedNothingGetsNothingDone() throws SQLException {
    assertThat(use("select count(*) from customer", "select * from customer_orders", "select 1 from orders for update")
        .path()).isEqualTo("unchanged");
  }

  @Test
  void sequencesAloneAreSetBack() throws SQLException {
    Outcome outcome = use("select nextval('invoice_no') from generate_series(1, 5)",
        "select setval('customer_id_seq', 100)");
    assertThat(outcome.path()).isEqualTo("reset");
    try (DatabaseLease lease = pool.lease(template); Connection c = lease.dataSource().getConnection();
        Statement s = c.createStatement()) {
      assertThat(query(s, "select nextval('invoice_no')")).isEqualTo(1001);
      assertThat(query(s, "select nextval('customer_id_seq')")).isEqualTo(4);
    }
  }

  @Test
  void rowsOfRolledBackTransactionsAreCountedAndPutBackToo() throws SQLException {
    assertThat(use("begin", "insert into customer (email, name) values ('x@example.com', 'X')", "rollback",
        "begin", "savepoint s", "delete from order_line", "rollback to savepoint s", "commit").path()).isEqualTo("reset");
  }

  @Test
  void whatATriggerWroteIsUndoneAndPuttingRowsBackFiresNoTrigger() throws SQLException {
    assertThat(use("insert into orders (customer_id, total_cents) values (3, 100)", "delete from orders where id = 3")
        .path()).isEqualTo("reset");
    try (DatabaseLease lease = pool.lease(template); Connection c = lease.dataSource().getConnection();
        Statement s = c.createStatement()) {
      assertSeedState(s);
      s.execute("insert into orders (customer_id, total_cents) values (3, 100)");
      assertThat(query(s, "select max(id) from orders")).as("the identity is back").isEqualTo(4);
      assertThat(query(s, "select total_with_tax from orders where id = 4")).isEqualTo(120);
    }
  }

  @Test
  void deferredConstraintsCascadesPartitionsAndLongValuesArePutBack() throws SQLException {
    assertThat(use("begin", "set constraints all deferred",
        "insert into orders (customer_id, total_cents) values (99, 1)",
        "insert into customer (id, email, name) values (99, 'late@example.com', 'Late')", "commit",
        "delete from orders where id = 1",
        "insert into event (at, what) values ('2026-07-01', 'more')",
        "update document set body = body || 'x' where id = 1").path()).isEqualTo("reset");
    try (DatabaseLease lease = pool.lease(template); Connection c = lease.dataSource().getConnection();
        Statement s = c.createStatement()) {
      assertSeedState(s);
    }
  }

  @Test
  void sessionStateATestLeftNeverReachesTheNextTest() throws SQLException {
    assertThat(use("set search_path = pg_catalog", "set statement_timeout = 1234", "prepare mine as select 1",
        "select pg_advisory_lock(4242)", "listen somewhere", "declare c cursor with hold for select 1").path())
        .isEqualTo("unchanged");
    try (DatabaseLease lease = pool.lease(template); Connection c = lease.dataSource().getConnection();
        Statement s = c.createStatement()) {
      assertThat(text(s, "show search_path")).isEqualTo("\"$user\", public");
      assertThat(text(s, "show statement_timeout")).isEqualTo("0");
      assertThat(query(s, "select count(*) from pg_prepared_statements where from_sql")).isZero();
      assertThat(query(s, "select count(*) from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()"))
          .isZero();
      assertThat(query(s, "select count(*) from pg_listening_channels()")).isZero();
      assertThat(query(s, "select count(*) from pg_cursors where name = 'c'")).as("the held cursor").isZero();
    }
  }

  @ParameterizedTest(name = "{0} -> recreated ({1})")
  @CsvSource(delimiter = '|', value = {
      "create table scratch (id int)|schema changed",
      "alter table customer add column nick text|schema changed",
      "create index customer_name on customer (name)|schema changed",
      "comment on table customer is 'changed'|schema changed",
      "create temporary table scratch (id int)|schema changed",
      "select lo_create(0)|large objects",
      "truncate order_line|TRUNCATE or a table rewrite",
      "analyze customer|ANALYZE",
      "analyze note|ANALYZE",
      "refresh materialized view order_count|materialized view refreshed",
      "vacuum full customer|TRUNCATE or a table rewrite",
      "grant select on customer to public|schema changed",
      "alter sequence invoice_no restart with 1|schema changed"})
  void anythingButRowsAndSequencesMeansRecreation(String statement, String reason) throws SQLException {
    Outcome outcome = use(statement);
    assertThat(outcome.path()).isEqualTo("recreate: " + reason);
    try (DatabaseLease lease = pool.lease(template); Connection c = lease.dataSource().getConnection();
        Statement s = c.createStatement()) {
      assertThat(lease.database().databaseName()).as("another clone").isNotEqualTo(outcome.database());
      assertSeedState(s);
    }
  }

  @Test
  void changingTheDatabaseItselfMeansRecreation() throws SQLException {
    String name;
    try (DatabaseLease lease = pool.lease(template); Connection c = lease.dataSource().getConnection();
        Statement s = c.createStatement()) {
      name = lease.database().databaseName();
      s.execute("alter database \"" + name + "\" set work_mem = '8MB'");
    }
    try (DatabaseLease lease = pool.lease(template)) {
      assertThat(lease.database().databaseName()).isNotEqualTo(name);
    }
    assertThat(((PoolEngine) pool).report().recreationReasons()).containsKey("database changed");
  }

  @Test
  void aConnectionLeftOpenMeansRecreation() throws SQLException {
    Connection leaked;
    String name;
    try (DatabaseLease lease = pool.lease(template)) {
      name = lease.database().databaseName();
      PgDatabase db = lease.database();
      leaked = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
      try (Statement s = leaked.createStatement()) {
        s.execute("select 1");
      }
    }
    try (DatabaseLease lease = pool.lease(template)) {
      assertThat(lease.database().databaseName()).isNotEqualTo(name);
    } finally {
      leaked.close();
    }
    assertThat(((PoolEngine) pool).report().recreationReasons()).containsKey("connections left open");
  }

  @Test
  void resetRecreateRecreatesEvenWhenOnlyRowsChanged() throws SQLException {
    Outcome outcome = use(ResetMode.RECREATE, "insert into customer (email, name) values ('r@example.com', 'R')");
    assertThat(outcome.path()).isEqualTo("recreate: reset=recreate");
  }

  @Test
  void verificationFailsLoudlyWhenAChangeWentUnseen() throws SQLException {
    // A session that stops PostgreSQL from counting its changes is the one thing detection can't see.
    DatabaseLease lease = pool.lease(template);
    try (Connection c = lease.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("set track_counts = off");
      s.execute("insert into customer (email, name) values ('unseen@example.com', 'Unseen')");
    }
    assertThatThrownBy(lease::release)
        .isInstanceOf(ResetVerificationException.class)
        .hasMessageContaining("left the clone different from its template")
        .hasMessageContaining("table public.customer is 4 rows")
        .hasMessageContaining("pgisolated.reset=recreate");
    assertThat(((PoolEngine) pool).report().recreationReasons()).containsKey("verification failed");
    try (DatabaseLease next = pool.lease(template); Connection c = next.dataSource().getConnection();
        Statement s = c.createStatement()) {
      assertThat(next.database().databaseName()).isNotEqualTo(lease.database().databaseName());
      assertSeedState(s);
    }
  }

  @Test
  void aCloneSomeoneChangedAndGaveBackAsUnchangedNeverBecomesTheReference(@TempDir Path coordination)
      throws SQLException {
    TemplateDefinition shared = TemplateDefinition.builder().scripts("db/reset.sql")
        .hashInput(UUID.randomUUID().toString()).build();
    Map<String, String> config = Map.of("pgisolated.coordinator.directory", coordination.toString(),
        "pgisolated.pool.initial-size", "1", "pgisolated.pool.max-size", "1", "pgisolated.reset.verify", "false");
    try (PgIsolatedPool coordinator = PgIsolatedPool.start(TestPostgres.config(config))) {
      HASHES.add(((PoolEngine) coordinator).templateHash(shared));
      String dirty;
      // A read-only lease whose test turned writing back on and wrote: it goes back as unchanged.
      try (DatabaseLease lease = coordinator.lease(shared, Duration.ofSeconds(30), LeaseMode.READ_ONLY);
          Connection c = lease.dataSource().getConnection(); Statement s = c.createStatement()) {
        dirty = lease.database().databaseName();
        s.execute("set default_transaction_read_only = off");
        s.execute("insert into customer (email, name) values ('mallory@example.com', 'Mallory')");
      }
      try (PgIsolatedPool client = PgIsolatedPool.start(TestPostgres.config(config));
          DatabaseLease lease = client.lease(shared); Connection c = lease.dataSource().getConnection();
          Statement s = c.createStatement()) {
        assertThat(((PoolEngine) client).isCoordinator()).isFalse();
        assertThat(lease.database().databaseName()).as("the changed clone was recreated, not used").isNotEqualTo(dirty);
        assertSeedState(s);
      }
    }
  }
}
