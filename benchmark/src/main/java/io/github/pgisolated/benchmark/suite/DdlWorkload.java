package io.github.pgisolated.benchmark.suite;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * The DDL-heavy workload's test, on the small schema: it checks the seed state, then creates a
 * table of its own referencing the orders, fills it, alters it (a column with a default, a check
 * constraint), indexes it, updates and reads it, and registers a customer. Every test changes the
 * schema, so with {@code @PgIsolated} every test's database is recreated.
 */
final class DdlWorkload {
  private DdlWorkload() {}

  static void run(DataSource db, int suite, int repetition) throws SQLException {
    String table = "ddl_c" + suite + "r" + repetition;
    try (Connection c = db.getConnection()) {
      PhaseTimer.connected();
      SmallWorkload.assertSeedState(c);
    }
    try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
      s.execute("create table " + table + " (id bigserial primary key, order_id bigint not null references orders (id),"
          + " note text not null)");
      s.execute("insert into " + table + " (order_id, note) select id, 'note ' || id from orders");
      s.execute("alter table " + table + " add column done boolean not null default false");
      s.execute("alter table " + table + " add constraint " + table + "_note check (length(note) > 0)");
      s.execute("create index " + table + "_order on " + table + " (order_id, done)");
      s.execute("update " + table + " set done = true where order_id = (select min(id) from orders)");
      s.execute("insert into customer (email, name) values ('" + table + "@bench.example', 'DDL " + table + "')");
      try (ResultSet rs = s.executeQuery("select count(*) filter (where done), count(*) from " + table + " n"
          + " join orders o on o.id = n.order_id")) {
        rs.next();
        if (rs.getLong(1) != 1 || rs.getLong(2) != SmallWorkload.SEED_ORDERS) {
          throw new AssertionError("expected 1 of " + SmallWorkload.SEED_ORDERS + " notes done, got " + rs.getLong(1)
              + " of " + rs.getLong(2));
        }
      }
    }
  }
}
