package io.github.pgisolated.examples.shop;

import static io.github.pgisolated.examples.shop.Seed.ADA;
import static io.github.pgisolated.examples.shop.Seed.PEN;
import static io.github.pgisolated.examples.shop.Seed.SICP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pgisolated.junit5.PgIsolated;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * DDL in tests: add columns, create indexes and tables, drop constraints, rename tables. Each
 * change lives and dies with the test's database; the next test starts from the template again.
 * The injected {@link Connection} is closed after the test.
 */
@PgIsolated(scripts = {"db/schema.sql", "db/seed.sql"})
class SchemaChangesTest {

  @Test
  void aNewColumnIsThereOnlyForThisTest(Connection c) throws SQLException {
    Seed.assertUntouched(c);

    Jdbc.execute(c, "alter table customer add column loyalty_points integer not null default 0");
    Jdbc.execute(c, "update customer set loyalty_points = 120 where id = " + ADA);

    assertThat(Jdbc.column(c, "select loyalty_points from customer order by id")).containsExactly("120", "0", "0");
  }

  @Test
  void theRepositoriesKeepWorkingWithAnExtraColumn(Connection c, DataSource db) throws SQLException {
    Seed.assertUntouched(c);
    Jdbc.execute(c, "alter table product add column discontinued boolean not null default false");

    Product product = new ProductRepository(db).add("BOOK-DDD", "Domain-Driven Design", 5200, 3);

    assertThat(Jdbc.value(c, "select discontinued from product where id = " + product.id())).isEqualTo("f");
  }

  @Test
  void aUniqueIndexOnAnExpressionTightensTheRules(Connection c, DataSource db) throws SQLException {
    Seed.assertUntouched(c);
    Jdbc.execute(c, "create unique index customer_email_ci_idx on customer (lower(email))");

    CustomerRepository customers = new CustomerRepository(db);

    assertThatThrownBy(() -> customers.register("ADA@example.com", "Shouting Ada"))
        .isInstanceOf(DuplicateEmailException.class);
  }

  @Test
  void aNewIndexIsListedInTheCatalog(Connection c) throws SQLException {
    Seed.assertUntouched(c);

    Jdbc.execute(c, "create index order_line_product_idx on order_line (product_id)");

    assertThat(Jdbc.column(c, "select indexname from pg_indexes where tablename = 'order_line' order by indexname"))
        .containsExactly("order_line_order_id_product_id_key", "order_line_pkey", "order_line_product_idx");
  }

  @Test
  void aNewTableCanReferenceTheSeedRows(Connection c) throws SQLException {
    Seed.assertUntouched(c);
    Jdbc.execute(c, """
        create table review (
          id         bigserial primary key,
          product_id bigint not null references product (id),
          stars      integer not null check (stars between 1 and 5),
          body       text
        )""");

    Jdbc.execute(c, "insert into review (product_id, stars, body) "
        + "select id, 5, 'A classic' from product where sku = '" + SICP + "'");

    assertThat(Jdbc.value(c, """
        select p.name || ': ' || r.stars from review r join product p on p.id = r.product_id"""))
        .isEqualTo("Structure and Interpretation of Computer Programs: 5");
    assertThatThrownBy(() -> Jdbc.execute(c, "insert into review (product_id, stars) values (999, 4)"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("review_product_id_fkey");
  }

  @Test
  void droppingTheStockCheckLetsStockGoNegative(Connection c, DataSource db) throws SQLException {
    Seed.assertUntouched(c);
    Jdbc.execute(c, "alter table product drop constraint product_stock_check");

    new OrderRepository(db).place(ADA, List.of(new LineItem(Seed.TAOCP, 5)));

    assertThat(Jdbc.value(c, "select stock from product where sku = 'BOOK-TAOCP'")).isEqualTo("-3");
  }

  @Test
  void renamingATableBreaksTheRepositoryThatUsesIt(Connection c, DataSource db) throws SQLException {
    Seed.assertUntouched(c);
    Jdbc.execute(c, "alter table orders rename to purchase");

    assertThatThrownBy(() -> new OrderRepository(db).summaries())
        .isInstanceOf(ShopException.class)
        .cause()
        .hasMessageContaining("relation \"orders\" does not exist");
  }

  @Test
  void ddlRolledBackInATransactionLeavesNoTrace(Connection c) throws SQLException {
    Seed.assertUntouched(c);
    c.setAutoCommit(false);

    Jdbc.execute(c, "create table scratch (id integer)");
    Jdbc.execute(c, "alter table customer drop column name");
    c.rollback();

    assertThat(Jdbc.value(c, "select to_regclass('scratch') is null")).isEqualTo("t");
    c.setAutoCommit(true);
    Seed.assertUntouched(c);
  }

  @Test
  void restartingASequenceOnlyAffectsThisTest(Connection c, DataSource db) throws SQLException {
    Seed.assertUntouched(c);
    Jdbc.execute(c, "alter sequence order_number_seq restart with 5000");

    Order order = new OrderRepository(db).place(ADA, List.of(new LineItem(PEN, 1)));

    assertThat(order.id()).isEqualTo(5000);
  }

  @Test
  void truncatingEveryTableEmptiesOnlyThisDatabase(Connection c) throws SQLException {
    Seed.assertUntouched(c);

    Jdbc.execute(c, "truncate customer, product, orders, order_line restart identity");

    assertThat(Jdbc.count(c, "customer") + Jdbc.count(c, "product") + Jdbc.count(c, "orders")).isZero();
  }
}
