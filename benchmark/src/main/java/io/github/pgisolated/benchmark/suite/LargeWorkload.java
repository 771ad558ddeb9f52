package io.github.pgisolated.benchmark.suite;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * The large workload's test, on the 41-table back office ({@code bench/large}): it checks the seed
 * state, then places an order the way an application does (a customer, an address, the order and
 * three lines priced from the catalogue, the stock taken from the warehouse, a payment, an audit
 * entry, the status moved on), and reads it back through a five-table join. Every value and every
 * stock row it touches is its own, so tests sharing one database never wait for each other's locks.
 */
final class LargeWorkload {
  /** The seed's total stock, from its formula (bench/large/seed.sql). */
  private static final long SEED_STOCK;

  static {
    long stock = 0;
    for (int p = 1; p <= 1000; p++) {
      for (int w = 1; w <= 2; w++) {
        stock += 10 + (long) (p * w) % 90;
      }
    }
    SEED_STOCK = stock;
  }

  private LargeWorkload() {}

  static void run(DataSource db, int suite, int repetition) throws SQLException {
    String tag = "c" + suite + "r" + repetition;
    try (Connection c = db.getConnection()) {
      PhaseTimer.connected();
      assertSeedState(c);
    }
    // Three products no other test of the run touches.
    long first = 1 + (((suite - 1) * OrdersSuite.TESTS + repetition - 1) * 3L) % 999;
    long orderId;
    long total = 0;
    try (Connection c = db.getConnection()) {
      long customerId = id(c, "insert into customer (email, name, locale_id) values (?, ?, 1) returning id",
          tag + "@bench.example", "Customer " + tag);
      long addressId = id(c, "insert into address (customer_id, country_id, line1, city, postcode)"
          + " values (?, 1, '1 Bench Road', 'Benchville', '12345') returning id", customerId);
      orderId = id(c, "insert into orders (customer_id, address_id, status_id, channel_id, carrier_id)"
          + " values (?, ?, 1, 1, 1) returning id", customerId, addressId);
      try (PreparedStatement line = c.prepareStatement("insert into order_line (order_id, line, product_id, quantity, cents)"
          + " select ?, ?, p.product_id, ?, p.cents from product_price p where p.product_id = ? and p.currency_id = 1"
          + " returning cents");
          PreparedStatement stock = c.prepareStatement(
              "update inventory set on_hand = on_hand - ? where product_id = ? and warehouse_id = 1")) {
        for (int i = 0; i < 3; i++) {
          line.setLong(1, orderId);
          line.setInt(2, i + 1);
          line.setInt(3, i + 1);
          line.setLong(4, first + i);
          try (ResultSet rs = line.executeQuery()) {
            check(rs.next(), "no price for product " + (first + i));
            total += (long) rs.getInt(1) * (i + 1);
          }
          stock.setInt(1, i + 1);
          stock.setLong(2, first + i);
          check(stock.executeUpdate() == 1, "no stock row for product " + (first + i));
        }
      }
      id(c, "insert into payment (order_id, method_id, cents) values (?, 1, ?) returning id", orderId, total);
      id(c, "insert into audit_log (entity, entity_id, action) values ('order', ?, 'placed') returning id", orderId);
      try (PreparedStatement paid = c.prepareStatement("update orders set status_id = 2 where id = ?")) {
        paid.setLong(1, orderId);
        check(paid.executeUpdate() == 1, "order " + orderId + " not updated");
      }
    }
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement("select cu.email, count(*), sum(l.quantity * l.cents), max(s.name),"
            + " sum(pay.cents) / count(*) from orders o join customer cu on cu.id = o.customer_id"
            + " join order_line l on l.order_id = o.id join product p on p.id = l.product_id"
            + " join order_status s on s.id = o.status_id join payment pay on pay.order_id = o.id"
            + " where o.id = ? group by cu.email")) {
      ps.setLong(1, orderId);
      try (ResultSet rs = ps.executeQuery()) {
        check(rs.next(), "order " + orderId + " not found");
        check(rs.getString(1).equals(tag + "@bench.example"), "wrong customer " + rs.getString(1));
        check(rs.getLong(2) == 3, "expected 3 lines, got " + rs.getLong(2));
        check(rs.getLong(3) == total, "wrong total " + rs.getLong(3) + ", expected " + total);
        check(rs.getString(4).equals("PAID"), "wrong status " + rs.getString(4));
        check(rs.getLong(5) == total, "wrong payment " + rs.getLong(5));
      }
    }
  }

  /** Throws unless the database holds exactly the seed rows (counts of the busiest tables, the total stock). */
  static void assertSeedState(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select (select count(*) from customer), (select count(*) from orders),"
            + " (select count(*) from order_line), (select count(*) from payment), (select count(*) from audit_log),"
            + " (select sum(on_hand) from inventory)")) {
      rs.next();
      check(rs.getLong(1) == 1000 && rs.getLong(2) == 1500 && rs.getLong(3) == 3000 && rs.getLong(4) == 1500
              && rs.getLong(5) == 500 && rs.getLong(6) == SEED_STOCK,
          "not the seed state: customers " + rs.getLong(1) + ", orders " + rs.getLong(2) + ", lines " + rs.getLong(3)
              + ", payments " + rs.getLong(4) + ", audit " + rs.getLong(5) + ", stock " + rs.getLong(6));
    }
  }

  private static long id(Connection c, String sql, Object... values) throws SQLException {
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

  private static void check(boolean condition, String message) {
    if (!condition) {
      throw new AssertionError(message);
    }
  }
}
