package io.github.pgisolated.examples.shop;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.junit5.PgIsolated;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * {@code @PgIsolated} on test methods: each method says what its template holds, so one class
 * can test against an empty database, the bare schema and the seeded schema.
 */
class TemplatePerMethodTest {

  @Test
  @PgIsolated
  void withNothingToRunTheDatabaseIsEmpty(Connection c) throws SQLException {
    assertThat(Jdbc.value(c, "select count(*) from pg_tables where schemaname = 'public'")).isEqualTo("0");

    Jdbc.execute(c, "create table note (id bigserial primary key, body text not null)");

    assertThat(Jdbc.execute(c, "insert into note (body) values ('hello')")).isEqualTo(1);
  }

  @Test
  @PgIsolated(scripts = "db/schema.sql")
  void withoutTheSeedTheFirstCustomerGetsIdOne(DataSource db) {
    CustomerRepository customers = new CustomerRepository(db);
    assertThat(customers.findAll()).isEmpty();

    Customer first = customers.register("first@example.com", "First Customer");

    assertThat(first.id()).isEqualTo(1);
  }

  @Test
  @PgIsolated(scripts = {"db/schema.sql", "db/seed.sql"})
  void withTheSeedItIsTheSameTemplateTheOtherClassesUse(DataSource db) throws SQLException {
    Seed.assertUntouched(db);

    assertThat(new CustomerRepository(db).register("x@example.com", "X").id()).isEqualTo(Seed.NEXT_CUSTOMER_ID);
  }
}
