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

/**
 * Customers: register, find, rename, delete. Every method uses one connection from the data
 * source and returns it before it returns.
 */
public final class CustomerRepository {

  private final DataSource dataSource;

  public CustomerRepository(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  /**
   * Adds a customer; the id comes from the table's sequence.
   *
   * @throws DuplicateEmailException if another customer has this email
   */
  public Customer register(String email, String name) {
    String sql = "insert into customer (email, name) values (?, ?)";
    try (Connection c = dataSource.getConnection();
         PreparedStatement insert = c.prepareStatement(sql, new String[] {"id"})) {
      insert.setString(1, email);
      insert.setString(2, name);
      insert.executeUpdate();
      try (ResultSet keys = insert.getGeneratedKeys()) {
        keys.next();
        return new Customer(keys.getLong(1), email, name);
      }
    } catch (SQLException e) {
      if (SqlStates.is(e, SqlStates.UNIQUE_VIOLATION)) {
        throw new DuplicateEmailException(email, e);
      }
      throw new ShopException("Could not register " + email, e);
    }
  }

  public Optional<Customer> findById(long id) {
    return findOne("select id, email, name from customer where id = ?", ps -> ps.setLong(1, id));
  }

  public Optional<Customer> findByEmail(String email) {
    return findOne("select id, email, name from customer where email = ?", ps -> ps.setString(1, email));
  }

  /** All customers, oldest first. */
  public List<Customer> findAll() {
    try (Connection c = dataSource.getConnection();
         PreparedStatement query = c.prepareStatement("select id, email, name from customer order by id");
         ResultSet rs = query.executeQuery()) {
      List<Customer> customers = new ArrayList<>();
      while (rs.next()) {
        customers.add(map(rs));
      }
      return customers;
    } catch (SQLException e) {
      throw new ShopException("Could not list customers", e);
    }
  }

  /** Changes a customer's name; {@code false} if there is no such customer. */
  public boolean rename(long id, String newName) {
    try (Connection c = dataSource.getConnection();
         PreparedStatement update = c.prepareStatement("update customer set name = ? where id = ?")) {
      update.setString(1, newName);
      update.setLong(2, id);
      return update.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new ShopException("Could not rename customer " + id, e);
    }
  }

  /**
   * Deletes a customer; {@code false} if there is no such customer.
   *
   * @throws ShopException if the customer has orders (they keep their customer)
   */
  public boolean delete(long id) {
    try (Connection c = dataSource.getConnection();
         PreparedStatement delete = c.prepareStatement("delete from customer where id = ?")) {
      delete.setLong(1, id);
      return delete.executeUpdate() == 1;
    } catch (SQLException e) {
      if (SqlStates.is(e, SqlStates.FOREIGN_KEY_VIOLATION)) {
        throw new ShopException("Customer " + id + " has orders and cannot be deleted", e);
      }
      throw new ShopException("Could not delete customer " + id, e);
    }
  }

  private Optional<Customer> findOne(String sql, Binder binder) {
    try (Connection c = dataSource.getConnection(); PreparedStatement query = c.prepareStatement(sql)) {
      binder.bind(query);
      try (ResultSet rs = query.executeQuery()) {
        return rs.next() ? Optional.of(map(rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new ShopException("Could not query customers", e);
    }
  }

  private static Customer map(ResultSet rs) throws SQLException {
    return new Customer(rs.getLong("id"), rs.getString("email"), rs.getString("name"));
  }

  @FunctionalInterface
  private interface Binder {
    void bind(PreparedStatement statement) throws SQLException;
  }
}
