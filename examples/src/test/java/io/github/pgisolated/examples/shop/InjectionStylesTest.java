package io.github.pgisolated.examples.shop;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.core.PgDatabase;
import io.github.pgisolated.junit5.PgIsolated;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

// readme:start:injection
@PgIsolated(scripts = {"db/schema.sql", "db/seed.sql"})
class InjectionStylesTest {

  private final CustomerRepository customers;

  InjectionStylesTest(DataSource db) { // constructors get the database of the test about to run
    customers = new CustomerRepository(db);
  }

  @BeforeEach
  void registerAlan(DataSource db) { // and so do @BeforeEach and @AfterEach
    new CustomerRepository(db).register("alan@example.com", "Alan Turing");
  }

  @Test
  void seesWhatBeforeEachInserted(Connection c) throws SQLException { // closed after the test
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select count(*) from customer")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(3 + 1); // the seed rows and Alan
    }
    assertThat(customers.findByEmail("alan@example.com")).isPresent();
  }

  @Test
  void connectsLikeAFrameworkWould(PgDatabase db) throws SQLException {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
      assertThat(c.getCatalog()).isEqualTo(db.databaseName());
    }
    assertThat(customers.findAll()).hasSize(3 + 1);
  }
}
// readme:end:injection
