package io.github.pgisolated.examples.shop;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * What {@code db/schema.sql} and {@code db/seed.sql} put in the template, and the check every
 * test starts with: that its database is exactly that, whatever the other tests did to theirs.
 */
final class Seed {

  static final long ADA = 1;
  static final long GRACE = 2;
  static final long LINUS = 3;
  /** What {@code customer_id_seq} hands out next in a fresh database. */
  static final long NEXT_CUSTOMER_ID = 4;

  static final String SICP = "BOOK-SICP";
  static final String TAOCP = "BOOK-TAOCP";
  static final String MUG = "MUG-LAMBDA";
  static final String PEN = "PEN-RED";
  /** What {@code product_id_seq} hands out next in a fresh database. */
  static final long NEXT_PRODUCT_ID = 5;

  /** Ada's order, placed by the seed: one SICP and three red pens. */
  static final long ADAS_ORDER = 1000;
  /** What {@code order_number_seq} hands out next in a fresh database. */
  static final long NEXT_ORDER_NUMBER = 1001;

  private Seed() {}

  /** Fails unless the database holds the seed rows and the schema, untouched. */
  static void assertUntouched(Connection c) throws SQLException {
    assertThat(Jdbc.column(c, "select email from customer order by id"))
        .as("customers")
        .containsExactly("ada@example.com", "grace@example.com", "linus@example.com");
    assertThat(Jdbc.column(c, "select sku || ' ' || price_cents || ' ' || stock from product order by id"))
        .as("products: SKU, price, stock")
        .containsExactly("BOOK-SICP 4500 10", "BOOK-TAOCP 19900 2", "MUG-LAMBDA 1200 0", "PEN-RED 150 100");
    assertThat(Jdbc.column(c, "select id || ' ' || status from orders order by id"))
        .as("orders")
        .containsExactly("1000 PLACED");
    assertThat(Jdbc.count(c, "order_line")).as("order lines").isEqualTo(2);
    assertThat(Jdbc.column(c, """
            select table_name || '.' || column_name from information_schema.columns
            where table_schema = 'public' order by table_name collate "C", ordinal_position"""))
        .as("columns")
        .containsExactly(
            "customer.id", "customer.email", "customer.name", "customer.created_at",
            "order_line.id", "order_line.order_id", "order_line.product_id", "order_line.quantity",
            "order_line.unit_price_cents",
            "orders.id", "orders.customer_id", "orders.status", "orders.placed_at",
            "product.id", "product.sku", "product.name", "product.price_cents", "product.stock");
    assertThat(Jdbc.value(c, "select last_value || ' ' || is_called from order_number_seq"))
        .as("order_number_seq")
        .isEqualTo("1000 true");
  }

  static void assertUntouched(DataSource db) throws SQLException {
    try (Connection c = db.getConnection()) {
      assertUntouched(c);
    }
  }
}
