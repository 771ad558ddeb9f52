package io.github.pgisolated.examples.shop;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.core.PgDatabase;
import io.github.pgisolated.junit5.PgIsolated;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * {@link PgDatabase} says where the test's database is: what a framework, a migration tool or
 * plain {@link DriverManager} needs to connect to it. Connections opened this way are the test's
 * to close.
 */
@PgIsolated(scripts = {"db/schema.sql", "db/seed.sql"})
class PgDatabaseTest {

  private static Connection connect(PgDatabase db) throws SQLException {
    return DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
  }

  @Test
  void theJdbcUrlLeadsToTheTestsOwnDatabase(PgDatabase db) throws SQLException {
    try (Connection c = connect(db)) {
      Seed.assertUntouched(c);

      assertThat(Jdbc.value(c, "select current_database()")).isEqualTo(db.databaseName());
    }
  }

  @Test
  void theUrlIsMadeOfHostPortAndName(PgDatabase db) throws SQLException {
    try (Connection c = connect(db)) {
      Seed.assertUntouched(c);
    }

    assertThat(db.port()).isPositive();
    assertThat(db.jdbcUrl()).isEqualTo("jdbc:postgresql://" + db.host() + ":" + db.port() + "/" + db.databaseName());
    assertThat(db.toString()).contains(db.jdbcUrl()).doesNotContain("password=");
  }

  @Test
  void aDriverManagerConnectionSeesWhatTheDataSourceCommitted(PgDatabase db, DataSource ds) throws SQLException {
    Seed.assertUntouched(ds);

    Customer alan = new CustomerRepository(ds).register("alan@example.com", "Alan Turing");

    try (Connection c = connect(db)) {
      assertThat(Jdbc.value(c, "select name from customer where id = " + alan.id())).isEqualTo("Alan Turing");
    }
  }

  @Test
  void anotherSessionSeesOnlyCommittedRows(PgDatabase db) throws SQLException {
    try (Connection writer = connect(db); Connection reader = connect(db)) {
      Seed.assertUntouched(reader);
      writer.setAutoCommit(false);

      Jdbc.execute(writer, "update product set stock = 0 where sku = 'PEN-RED'");
      assertThat(Jdbc.value(reader, "select stock from product where sku = 'PEN-RED'")).isEqualTo("100");

      writer.commit();
      assertThat(Jdbc.value(reader, "select stock from product where sku = 'PEN-RED'")).isEqualTo("0");
    }
  }
}
