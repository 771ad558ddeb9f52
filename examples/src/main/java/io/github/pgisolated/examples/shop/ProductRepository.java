package io.github.pgisolated.examples.shop;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/** The catalogue: products, their prices and their stock. */
public final class ProductRepository {

  private static final String COLUMNS = "id, sku, name, price_cents, stock";

  private final DataSource dataSource;

  public ProductRepository(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  /**
   * Adds a product to the catalogue.
   *
   * @throws ShopException if the SKU is taken, or the price or stock is negative
   */
  public Product add(String sku, String name, int priceCents, int stock) {
    String sql = "insert into product (sku, name, price_cents, stock) values (?, ?, ?, ?) returning " + COLUMNS;
    try (Connection c = dataSource.getConnection(); PreparedStatement insert = c.prepareStatement(sql)) {
      insert.setString(1, sku);
      insert.setString(2, name);
      insert.setInt(3, priceCents);
      insert.setInt(4, stock);
      try (ResultSet rs = insert.executeQuery()) {
        rs.next();
        return map(rs);
      }
    } catch (SQLException e) {
      throw new ShopException("Could not add product " + sku, e);
    }
  }

  public Optional<Product> findBySku(String sku) {
    String sql = "select " + COLUMNS + " from product where sku = ?";
    try (Connection c = dataSource.getConnection(); PreparedStatement query = c.prepareStatement(sql)) {
      query.setString(1, sku);
      try (ResultSet rs = query.executeQuery()) {
        return rs.next() ? Optional.of(map(rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new ShopException("Could not find product " + sku, e);
    }
  }

  /** Products with at least one in stock, by SKU. */
  public List<Product> findInStock() {
    String sql = "select " + COLUMNS + " from product where stock > 0 order by sku";
    try (Connection c = dataSource.getConnection();
         PreparedStatement query = c.prepareStatement(sql);
         ResultSet rs = query.executeQuery()) {
      List<Product> products = new ArrayList<>();
      while (rs.next()) {
        products.add(map(rs));
      }
      return products;
    } catch (SQLException e) {
      throw new ShopException("Could not list products in stock", e);
    }
  }

  /**
   * Sets a product's price; {@code false} if there is no such product.
   *
   * @throws ShopException if the price is negative (the check constraint says no)
   */
  public boolean changePrice(String sku, int priceCents) {
    try (Connection c = dataSource.getConnection();
         PreparedStatement update = c.prepareStatement("update product set price_cents = ? where sku = ?")) {
      update.setInt(1, priceCents);
      update.setString(2, sku);
      return update.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new ShopException("Could not change the price of " + sku + " to " + priceCents, e);
    }
  }

  /**
   * Adds to a product's stock.
   *
   * @return the new stock level
   * @throws UnknownProductException if there is no such product
   */
  public int restock(String sku, int quantity) {
    String sql = "update product set stock = stock + ? where sku = ? returning stock";
    try (Connection c = dataSource.getConnection(); PreparedStatement update = c.prepareStatement(sql)) {
      update.setInt(1, quantity);
      update.setString(2, sku);
      try (ResultSet rs = update.executeQuery()) {
        if (!rs.next()) {
          throw new UnknownProductException(sku);
        }
        return rs.getInt(1);
      }
    } catch (SQLException e) {
      throw new ShopException("Could not restock " + sku, e);
    }
  }

  private static Product map(ResultSet rs) throws SQLException {
    return new Product(rs.getLong("id"), rs.getString("sku"), rs.getString("name"),
        rs.getInt("price_cents"), rs.getInt("stock"));
  }
}
