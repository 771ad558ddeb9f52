package io.github.pgisolated.benchmark.suite;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * The small workload's test, the same whatever the database strategy: it asserts the seed
 * state, makes a handful of inserts, two updates and a join query, and every fifth test also
 * creates a table and an index (DDL). Like a repository-backed test, it takes a connection per
 * step from the {@link DataSource} it is given.
 *
 * <p>Every value a test inserts is unique to the test ({@code c<class>r<repetition>}) and every
 * row it updates is its own, so that tests sharing one database (the rollback strategy, with
 * several forks) never wait for each other's row locks: the baseline is not slowed by contention
 * the isolated strategies would not have.
 */
public final class SmallWorkload {
  /** The seed state (bench/seed.sql). */
  static final long SEED_CUSTOMERS = 3;
  static final long SEED_PRODUCTS = 20;
  static final long SEED_ORDERS = 4;
  static final long SEED_LINES = 8;
  static final long SEED_STOCK = 410;

  private SmallWorkload() {}

  /**
   * Runs one test's work.
   *
   * @param suite the test class's number, part of the values the test inserts
   * @param repetition the test's number in its class (1-based); every fifth does DDL
   */
  public static void run(DataSource db, int suite, int repetition) throws SQLException {
    String tag = "c" + suite + "r" + repetition;
    try (Connection c = db.getConnection()) {
      PhaseTimer.connected();
      assertSeedState(c);
    }
    long orderId;
    try (Connection c = db.getConnection()) {
      long customerId = insertReturningId(c, "insert into customer (email, name) values (?, ?) returning id",
          tag + "@bench.example", "Customer " + tag);
      long productId = insertReturningId(c,
          "insert into product (sku, name, price_cents, stock) values (?, ?, 1999, 10) returning id", "SKU-" + tag,
          "Product " + tag);
      orderId = insertReturningId(c, "insert into orders (customer_id) values (?) returning id", customerId);
      try (PreparedStatement line = c.prepareStatement(
          "insert into order_line (order_id, product_id, quantity) values (?, ?, ?)")) {
        addLine(line, orderId, productId, 2);
        addLine(line, orderId, seedProductId(c, "SEED-03"), 1);
        addLine(line, orderId, seedProductId(c, "SEED-07"), 3);
      }
      expectUpdated(c, "update product set stock = stock - 2 where id = ?", productId);
      expectUpdated(c, "update orders set status = 'PAID' where id = ?", orderId);
    }
    try (Connection c = db.getConnection();
        PreparedStatement total = c.prepareStatement(
            "select c.email, count(*), sum(l.quantity * p.price_cents), sum(p.stock) filter (where p.sku like 'SKU-%')"
                + " from orders o join customer c on c.id = o.customer_id"
                + " join order_line l on l.order_id = o.id join product p on p.id = l.product_id"
                + " where o.id = ? and o.status = 'PAID' group by c.email")) {
      total.setLong(1, orderId);
      try (ResultSet rs = total.executeQuery()) {
        check(rs.next(), "the order " + orderId + " was not found");
        check(rs.getString(1).equals(tag + "@bench.example"), "wrong customer " + rs.getString(1));
        check(rs.getLong(2) == 3, "expected 3 order lines, got " + rs.getLong(2));
        check(rs.getLong(3) == 2 * 1999 + 300 + 3 * 700, "wrong order total " + rs.getLong(3));
        check(rs.getLong(4) == 8, "wrong stock " + rs.getLong(4));
      }
    }
    if (repetition % 5 == 0) {
      schemaChange(db, tag, orderId);
    }
  }

  private static void schemaChange(DataSource db, String tag, long orderId) throws SQLException {
    String table = "scratch_" + tag;
    try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
      s.execute("create table " + table + " (id bigserial primary key, order_id bigint not null, note text not null)");
      s.execute("create index " + table + "_order on " + table + " (order_id)");
      s.execute("insert into " + table + " (order_id, note) select " + orderId + ", 'note ' || g"
          + " from generate_series(1, 3) g");
      try (ResultSet rs = s.executeQuery("select count(*) from " + table + " n join orders o on o.id = n.order_id")) {
        rs.next();
        check(rs.getLong(1) == 3, "expected 3 notes, got " + rs.getLong(1));
      }
    }
  }

  /** Throws unless the database holds exactly the seed rows. */
  static void assertSeedState(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select (select count(*) from customer), (select count(*) from product),"
            + " (select count(*) from orders), (select count(*) from order_line), (select sum(stock) from product)")) {
      rs.next();
      check(rs.getLong(1) == SEED_CUSTOMERS && rs.getLong(2) == SEED_PRODUCTS && rs.getLong(3) == SEED_ORDERS
              && rs.getLong(4) == SEED_LINES && rs.getLong(5) == SEED_STOCK,
          "not the seed state: customers " + rs.getLong(1) + ", products " + rs.getLong(2) + ", orders "
              + rs.getLong(3) + ", lines " + rs.getLong(4) + ", stock " + rs.getLong(5));
    }
  }

  private static long seedProductId(Connection c, String sku) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("select id from product where sku = ?")) {
      ps.setString(1, sku);
      try (ResultSet rs = ps.executeQuery()) {
        check(rs.next(), "no seed product " + sku);
        return rs.getLong(1);
      }
    }
  }

  private static long insertReturningId(Connection c, String sql, Object... values) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < values.length; i++) {
        ps.setObject(i + 1, values[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static void addLine(PreparedStatement line, long orderId, long productId, int quantity) throws SQLException {
    line.setLong(1, orderId);
    line.setLong(2, productId);
    line.setInt(3, quantity);
    check(line.executeUpdate() == 1, "order line not inserted");
  }

  private static void expectUpdated(Connection c, String sql, long id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, id);
      check(ps.executeUpdate() == 1, "expected one row updated by " + sql);
    }
  }

  private static void check(boolean condition, String message) {
    if (!condition) {
      throw new AssertionError(message);
    }
  }
}
