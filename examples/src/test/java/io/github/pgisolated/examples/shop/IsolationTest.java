package io.github.pgisolated.examples.shop;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.junit5.PgIsolated;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What isolation means, test by test. These tests run concurrently (see
 * {@code junit-platform.properties}) and each would break the others if they shared a database:
 * they insert the same unique keys, create the same tables, and expect the same sequence values.
 *
 * <p>After a test that changed only rows, its database gets the seed rows and sequences back in
 * place and may serve the next test (with warm connections); after one that changed the schema
 * ({@link #createsATable}, {@link #dropsEverything}), it is dropped and a new clone takes its place.
 * Either way, every test starts from the template's exact state.
 */
@PgIsolated(scripts = {"db/schema.sql", "db/seed.sql"})
class IsolationTest {

  /** Databases whose schema a test of this class changed (name and OID): none is ever handed out again. */
  private static final Set<String> SCHEMA_CHANGED = ConcurrentHashMap.newKeySet();

  @BeforeEach
  void everyTestStartsFromTheTemplate(DataSource db) throws SQLException {
    assertThat(SCHEMA_CHANGED).as("a database whose schema a test changed was handed out again")
        .doesNotContain(Jdbc.databaseIdentity(db));
    Seed.assertUntouched(db);
  }

  @Test
  void insertsAnEmailThatMustBeUnique(DataSource db) {
    Customer alan = new CustomerRepository(db).register("alan@example.com", "Alan Turing");

    assertThat(alan.id()).isEqualTo(Seed.NEXT_CUSTOMER_ID);
  }

  @Test
  void insertsTheSameEmailAgain(DataSource db) {
    Customer alan = new CustomerRepository(db).register("alan@example.com", "Alan Turing");

    assertThat(alan.id()).isEqualTo(Seed.NEXT_CUSTOMER_ID);
  }

  @RepeatedTest(5)
  void everyRepetitionGetsAFreshDatabaseToo(DataSource db) {
    Customer alan = new CustomerRepository(db).register("alan@example.com", "Alan Turing");

    assertThat(alan.id()).isEqualTo(Seed.NEXT_CUSTOMER_ID);
  }

  @ParameterizedTest
  @ValueSource(strings = {"Alan Turing", "Alan Mathison Turing", "A. M. Turing"})
  void everyParameterSetGetsAFreshDatabase(String name, DataSource db) {
    Customer alan = new CustomerRepository(db).register("alan@example.com", name);

    assertThat(new CustomerRepository(db).findAll()).hasSize(4).endsWith(alan);
  }

  @Test
  void createsATable(Connection c, DataSource db) throws SQLException {
    SCHEMA_CHANGED.add(Jdbc.databaseIdentity(db));
    Jdbc.execute(c, "create table audit_log (id bigserial primary key, entry text not null)");

    assertThat(Jdbc.execute(c, "insert into audit_log (entry) values ('created')")).isEqualTo(1);
  }

  @Test
  void createsTheSameTable(Connection c) throws SQLException {
    Jdbc.execute(c, "create table audit_log (id bigserial primary key, entry text not null)");

    assertThat(Jdbc.execute(c, "insert into audit_log (entry) values ('created again')")).isEqualTo(1);
  }

  @Test
  void commitsAnOrder(Connection c, DataSource db) throws SQLException {
    c.setAutoCommit(false);
    Jdbc.execute(c, "insert into orders (customer_id) values (" + Seed.GRACE + ")");
    c.commit();

    assertThat(Jdbc.column(db, "select id from orders order by id")).containsExactly("1000", "1001");
  }

  @Test
  void commitsTheSameOrderNumber(DataSource db) {
    Order order = new OrderRepository(db).place(Seed.LINUS, List.of(new LineItem(Seed.PEN, 1)));

    assertThat(order.id()).isEqualTo(Seed.NEXT_ORDER_NUMBER);
  }

  @Test
  void dropsEverything(Connection c, DataSource db) throws SQLException {
    SCHEMA_CHANGED.add(Jdbc.databaseIdentity(db));
    Jdbc.execute(c, "drop schema public cascade");

    assertThat(Jdbc.value(c, "select count(*) from pg_tables where schemaname = 'public'")).isEqualTo("0");
  }
}
