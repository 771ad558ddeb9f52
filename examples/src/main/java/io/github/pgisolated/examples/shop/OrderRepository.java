package io.github.pgisolated.examples.shop;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Orders: placing one takes stock in the same transaction, cancelling one gives it back.
 *
 * <p>{@link #place} and {@link #cancel} run several statements in one transaction on one
 * connection: either all of them commit or none does.
 */
public final class OrderRepository {

  private final DataSource dataSource;

  public OrderRepository(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  /**
   * Places an order: inserts it and its lines at today's prices, and takes the quantities out of
   * stock. Nothing is written unless everything is.
   *
   * @throws InsufficientStockException if a product has fewer in stock than asked for (the stock
   *     check constraint fails and the whole order rolls back)
   * @throws UnknownProductException if a SKU is not in the catalogue
   * @throws ShopException if there is no such customer
   */
  public Order place(long customerId, List<LineItem> items) {
    throwIfEmptyOrRepeated(items);
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        Order order = insertOrder(c, customerId, items);
        c.commit();
        return order;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      if (SqlStates.is(e, SqlStates.FOREIGN_KEY_VIOLATION)) {
        throw new ShopException("No customer with id " + customerId, e);
      }
      throw new ShopException("Could not place an order for customer " + customerId, e);
    }
  }

  private static Order insertOrder(Connection c, long customerId, List<LineItem> items) throws SQLException {
    long orderId;
    try (PreparedStatement insert = c.prepareStatement(
        "insert into orders (customer_id) values (?) returning id")) {
      insert.setLong(1, customerId);
      try (ResultSet rs = insert.executeQuery()) {
        rs.next();
        orderId = rs.getLong(1);
      }
    }
    List<OrderLine> lines = new ArrayList<>();
    try (PreparedStatement take = c.prepareStatement(
             "update product set stock = stock - ? where sku = ? returning id, price_cents");
         PreparedStatement insertLine = c.prepareStatement(
             "insert into order_line (order_id, product_id, quantity, unit_price_cents) values (?, ?, ?, ?) returning id")) {
      for (LineItem item : items) {
        take.setInt(1, item.quantity());
        take.setString(2, item.sku());
        long productId;
        int priceCents;
        try (ResultSet rs = take.executeQuery()) {
          if (!rs.next()) {
            throw new UnknownProductException(item.sku());
          }
          productId = rs.getLong(1);
          priceCents = rs.getInt(2);
        } catch (SQLException e) {
          if (SqlStates.is(e, SqlStates.CHECK_VIOLATION)) {
            throw new InsufficientStockException(item.sku(), item.quantity(), e);
          }
          throw e;
        }
        insertLine.setLong(1, orderId);
        insertLine.setLong(2, productId);
        insertLine.setInt(3, item.quantity());
        insertLine.setInt(4, priceCents);
        try (ResultSet rs = insertLine.executeQuery()) {
          rs.next();
          lines.add(new OrderLine(rs.getLong(1), item.sku(), item.quantity(), priceCents));
        }
      }
    }
    return new Order(orderId, customerId, OrderStatus.PLACED, lines);
  }

  /** An order with its lines, in the order they were placed. */
  public Optional<Order> findById(long orderId) {
    String sql = """
        select o.customer_id, o.status, l.id as line_id, p.sku, l.quantity, l.unit_price_cents
        from orders o
        left join order_line l on l.order_id = o.id
        left join product p on p.id = l.product_id
        where o.id = ?
        order by l.id
        """;
    try (Connection c = dataSource.getConnection(); PreparedStatement query = c.prepareStatement(sql)) {
      query.setLong(1, orderId);
      try (ResultSet rs = query.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        long customerId = rs.getLong("customer_id");
        OrderStatus status = OrderStatus.valueOf(rs.getString("status"));
        List<OrderLine> lines = new ArrayList<>();
        do {
          long lineId = rs.getLong("line_id");
          if (!rs.wasNull()) {
            lines.add(new OrderLine(lineId, rs.getString("sku"), rs.getInt("quantity"), rs.getInt("unit_price_cents")));
          }
        } while (rs.next());
        return Optional.of(new Order(orderId, customerId, status, lines));
      }
    } catch (SQLException e) {
      throw new ShopException("Could not find order " + orderId, e);
    }
  }

  /** Every order with its customer's name, item count and total, by order number. */
  public List<OrderSummary> summaries() {
    String sql = """
        select o.id, c.name, o.status,
               coalesce(sum(l.quantity), 0) as items,
               coalesce(sum(l.quantity * l.unit_price_cents), 0) as total_cents
        from orders o
        join customer c on c.id = o.customer_id
        left join order_line l on l.order_id = o.id
        group by o.id, c.name, o.status
        order by o.id
        """;
    try (Connection c = dataSource.getConnection();
         PreparedStatement query = c.prepareStatement(sql);
         ResultSet rs = query.executeQuery()) {
      List<OrderSummary> summaries = new ArrayList<>();
      while (rs.next()) {
        summaries.add(new OrderSummary(rs.getLong("id"), rs.getString("name"),
            OrderStatus.valueOf(rs.getString("status")), rs.getLong("items"), rs.getLong("total_cents")));
      }
      return summaries;
    } catch (SQLException e) {
      throw new ShopException("Could not summarise orders", e);
    }
  }

  /** Marks a placed order as shipped; {@code false} if there is no placed order with this id. */
  public boolean ship(long orderId) {
    try (Connection c = dataSource.getConnection();
         PreparedStatement update = c.prepareStatement(
             "update orders set status = 'SHIPPED' where id = ? and status = 'PLACED'")) {
      update.setLong(1, orderId);
      return update.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new ShopException("Could not ship order " + orderId, e);
    }
  }

  /**
   * Cancels a placed order and puts its items back in stock, in one transaction; {@code false}
   * if there is no placed order with this id (shipped orders cannot be cancelled).
   */
  public boolean cancel(long orderId) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        boolean cancelled;
        try (PreparedStatement update = c.prepareStatement(
            "update orders set status = 'CANCELLED' where id = ? and status = 'PLACED'")) {
          update.setLong(1, orderId);
          cancelled = update.executeUpdate() == 1;
        }
        if (cancelled) {
          try (PreparedStatement restock = c.prepareStatement("""
              update product p set stock = p.stock + l.quantity
              from order_line l
              where l.order_id = ? and l.product_id = p.id
              """)) {
            restock.setLong(1, orderId);
            restock.executeUpdate();
          }
        }
        c.commit();
        return cancelled;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new ShopException("Could not cancel order " + orderId, e);
    }
  }

  private static void throwIfEmptyOrRepeated(List<LineItem> items) {
    if (items.isEmpty()) {
      throw new IllegalArgumentException("An order needs at least one line");
    }
    Set<String> skus = new HashSet<>();
    for (LineItem item : items) {
      if (!skus.add(item.sku())) {
        throw new IllegalArgumentException("SKU " + item.sku() + " is on more than one line; add up the quantities");
      }
    }
  }
}
