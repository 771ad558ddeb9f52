package io.github.pgisolated.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.core.internal.engine.PoolEngine;
import io.github.pgisolated.core.internal.report.RunReport;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Many random mixes of what tests do (DML, DDL, sequences, temporary tables, large objects,
 * TRUNCATE, triggers firing, deferred constraints, aborted transactions, session state), one
 * lease each: every mix must take the path it calls for (reset in place, nothing to do, or
 * recreation), and the next test must see the template exactly. Verification mode checks the
 * latter after every reset (rows, sequences, catalogs), and each lease starts by checking the
 * seed rows itself.
 *
 * <p>{@code -Dreset.random.seed} replays a run (the seed is printed); {@code -Dreset.random.mixes}
 * sets how many mixes (default 120, some 20 s).
 */
class ResetInPlaceRandomizedTests {

  /** What an operation calls for: no change at all, a reset in place, or a recreation. */
  private enum Effect { NOTHING, RESET, RECREATE }

  private record Operation(String name, Effect effect, List<String> statements) {
    static Operation of(String name, Effect effect, String... statements) {
      return new Operation(name, effect, List.of(statements));
    }
  }

  private static final List<Operation> OPERATIONS = List.of(
      Operation.of("select", Effect.NOTHING, "select count(*) from customer join orders on orders.customer_id = customer.id"),
      Operation.of("row lock", Effect.NOTHING, "select * from orders for update"),
      Operation.of("session settings", Effect.NOTHING, "set search_path = public, pg_catalog", "set work_mem = '1MB'"),
      Operation.of("advisory lock", Effect.NOTHING, "select pg_advisory_lock(7)"),
      Operation.of("listen", Effect.NOTHING, "listen changes"),
      Operation.of("sql prepare", Effect.NOTHING, "prepare q as select 1"),
      Operation.of("vacuum", Effect.NOTHING, "vacuum customer"),
      Operation.of("insert", Effect.RESET, "insert into customer (email, name) values ('r' || random() || '@x', 'R')"),
      Operation.of("update", Effect.RESET, "update customer set name = name || '!' where id = 2"),
      Operation.of("delete", Effect.RESET, "delete from order_line where order_id = 1 and line = 2"),
      Operation.of("key change", Effect.RESET, "update customer set id = 1003 where id = 3",
          "update order_line set line = 9 where order_id = 3 and line = 1"),
      Operation.of("trigger", Effect.RESET, "insert into orders (customer_id, total_cents) values (2, 77)"),
      Operation.of("cascade", Effect.RESET, "delete from orders where id = 1"),
      Operation.of("upsert", Effect.RESET,
          "insert into customer (email, name) values ('ada@example.com', 'A') on conflict (email) do update set name = 'A'"),
      Operation.of("partition", Effect.RESET, "insert into event (at, what) values ('2025-02-02', 'x')"),
      Operation.of("toast", Effect.RESET, "update document set body = repeat(body, 2) where id = 1"),
      Operation.of("aborted", Effect.RESET, "begin", "delete from customer where id = 3", "rollback"),
      Operation.of("savepoint", Effect.RESET, "begin", "savepoint a", "insert into audit (what, order_id) values ('x', 1)",
          "rollback to savepoint a", "commit"),
      Operation.of("deferred", Effect.RESET, "begin", "set constraints all deferred",
          "insert into orders (customer_id, total_cents) values (77, 1)",
          "insert into customer (id, email, name) values (77, 'd@x', 'D')", "commit"),
      Operation.of("nextval", Effect.RESET, "select nextval('invoice_no')"),
      Operation.of("setval", Effect.RESET, "select setval('orders_id_seq', 500)"),
      Operation.of("create table", Effect.RECREATE, "create table scratch_" + "t (id int)"),
      Operation.of("alter table", Effect.RECREATE, "alter table document add column title text"),
      Operation.of("create index", Effect.RECREATE, "create index on orders (status)"),
      Operation.of("temp table", Effect.RECREATE, "create temporary table t (id int)", "insert into t values (1)"),
      Operation.of("large object", Effect.RECREATE, "select lo_create(0)"),
      Operation.of("truncate", Effect.RECREATE, "truncate event_2026"),
      Operation.of("analyze", Effect.RECREATE, "analyze orders"),
      Operation.of("function", Effect.RECREATE, "create function f() returns int language sql as 'select 1'"),
      Operation.of("comment", Effect.RECREATE, "comment on column customer.name is 'x'"),
      Operation.of("refresh", Effect.RECREATE, "refresh materialized view order_count"),
      Operation.of("drop view", Effect.RECREATE, "drop view customer_orders"));

  @Test
  void everyMixTakesItsPathAndTheNextTestSeesTheTemplateExactly() throws SQLException {
    long seed = Long.getLong("reset.random.seed", System.nanoTime());
    int mixes = Integer.getInteger("reset.random.mixes", 120);
    System.out.println("ResetInPlaceRandomizedTests: seed " + seed + " (-Dreset.random.seed=" + seed + " replays it)");
    Random random = new Random(seed);
    TemplateDefinition template = TemplateDefinition.builder().scripts("db/reset.sql")
        .hashInput(UUID.randomUUID().toString()).build();
    Map<String, Integer> paths = new TreeMap<>();
    try (PgIsolatedPool pool = PgIsolatedPool.start(TestPostgres.config(Map.of("pgisolated.coordinator", "none",
        "pgisolated.pool.initial-size", "2", "pgisolated.pool.max-size", "4", "pgisolated.reset.verify", "true")))) {
      RunReport report = ((PoolEngine) pool).report();
      try {
        for (int mix = 0; mix < mixes; mix++) {
          // Distinct operations: some can run only once per database (CREATE, PREPARE).
          List<Operation> operations = new ArrayList<>(OPERATIONS);
          if (random.nextBoolean()) {
            // Half the mixes change only rows, as most tests do: the reset path gets its share.
            operations.removeIf(o -> o.effect() == Effect.RECREATE);
          }
          java.util.Collections.shuffle(operations, random);
          operations = operations.subList(0, 1 + random.nextInt(4));
          Effect expected = operations.stream().map(Operation::effect).max(Enum::compareTo).orElseThrow();
          long resets = report.resets().count();
          int unchanged = report.unchanged();
          int recreated = recreations(report);
          try (DatabaseLease lease = pool.lease(template, Duration.ofSeconds(30))) {
            try (Connection c = lease.dataSource().getConnection(); Statement s = c.createStatement()) {
              assertSeedState(s, "mix " + mix);
              for (Operation operation : operations) {
                for (String statement : operation.statements()) {
                  s.execute(statement);
                }
              }
            }
          }
          Effect actual = report.resets().count() > resets ? Effect.RESET
              : report.unchanged() > unchanged ? Effect.NOTHING
              : recreations(report) > recreated ? Effect.RECREATE : null;
          assertThat(actual).as("mix %d (seed %d): %s", mix, seed, operations.stream().map(Operation::name).toList())
              .isEqualTo(expected);
          paths.merge(expected.name(), 1, Integer::sum);
        }
      } finally {
        TestPostgres.dropDatabasesOf(pool, List.of(((PoolEngine) pool).templateHash(template)));
      }
    }
    System.out.println("ResetInPlaceRandomizedTests: " + mixes + " mixes, paths " + paths);
    assertThat(paths).as("the mixes cover every path").containsKeys("NOTHING", "RESET", "RECREATE");
  }

  private static int recreations(RunReport report) {
    return report.recreationReasons().values().stream().mapToInt(Integer::intValue).sum();
  }

  private static void assertSeedState(Statement s, String when) throws SQLException {
    try (ResultSet rs = s.executeQuery("select (select count(*) from customer), (select count(*) from orders),"
        + " (select count(*) from order_line), (select count(*) from audit), (select count(*) from event),"
        + " (select length(body) from document where id = 1), (select last_value from invoice_no),"
        + " (select string_agg(name, ',' order by id) from customer), current_setting('search_path')")) {
      rs.next();
      assertThat(List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6),
          rs.getLong(7))).as("the template's rows at the start of " + when)
          .containsExactly(3L, 3L, 4L, 3L, 2L, 400L * 32, 1000L);
      assertThat(rs.getString(8)).isEqualTo("Ada,Grace,Edsger");
      assertThat(rs.getString(9)).as("no session state from an earlier test").isEqualTo("\"$user\", public");
    }
  }
}
