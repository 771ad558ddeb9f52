package io.github.pgisolated.examples.shop;

import static io.github.pgisolated.examples.shop.Seed.ADA;
import static io.github.pgisolated.examples.shop.Seed.LINUS;
import static io.github.pgisolated.examples.shop.Seed.MUG;
import static io.github.pgisolated.examples.shop.Seed.PEN;
import static io.github.pgisolated.examples.shop.Seed.SICP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pgisolated.junit5.PgIsolated;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shop as its Liquibase changelog builds it ({@code src/main/resources/db/changelog}): a YAML
 * master changelog including the tables and seed rows (formatted SQL) and a wishlist (a YAML
 * changeset). Liquibase runs once, into the template; every test gets a clone of the result.
 */
@PgIsolated(liquibase = "db/changelog/db.changelog-master.yaml")
class LiquibaseChangelogTest {

  @BeforeEach
  void startsFromTheChangelogsSeed(Connection c) throws SQLException {
    assertThat(Jdbc.column(c, "select sku || ' ' || stock from product order by id"))
        .containsExactly("BOOK-SICP 10", "BOOK-TAOCP 2", "MUG-LAMBDA 0", "PEN-RED 100");
    assertThat(Jdbc.column(c, "select customer_id || ' wishes for ' || product_id from wishlist_item"))
        .containsExactly(ADA + " wishes for 2");
  }

  @Test
  void everyChangesetIsAppliedOnceInOrder(Connection c) throws SQLException {
    assertThat(Jdbc.column(c, "select filename || '::' || id from databasechangelog order by orderexecuted"))
        .containsExactly(
            "db/changelog/changes/001-create-shop.sql::1",
            "db/changelog/changes/002-seed-shop.sql::2",
            "db/changelog/changes/003-add-wishlist.yaml::3");
  }

  @Test
  void restocksAProductWithTheApplicationsRepository(DataSource db) {
    ProductRepository products = new ProductRepository(db);

    assertThat(products.restock(MUG, 12)).isEqualTo(12);
    assertThat(products.findInStock()).extracting(Product::sku).contains(MUG, SICP, PEN);
  }

  @Test
  void aProductIsOnACustomersWishlistOnce(Connection c) throws SQLException {
    Jdbc.execute(c, "insert into wishlist_item (customer_id, product_id) values (" + LINUS + ", 3)");
    assertThat(Jdbc.count(c, "wishlist_item")).isEqualTo(2);

    assertThatThrownBy(() -> Jdbc.execute(c, "insert into wishlist_item (customer_id, product_id) values (" + ADA + ", 2)"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("duplicate key");
    assertThatThrownBy(() -> Jdbc.execute(c, "insert into wishlist_item (customer_id, product_id) values (" + ADA + ", 99)"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("wishlist_item_product_fk");
  }

  @Test
  void deletingACustomerWithAWishlistIsRefused(DataSource db) throws SQLException {
    assertThatThrownBy(() -> new CustomerRepository(db).delete(ADA))
        .isInstanceOf(ShopException.class)
        .hasMessageContaining("has orders");
    Jdbc.execute(db, "delete from wishlist_item");
    assertThat(Jdbc.count(db, "wishlist_item")).isZero();
  }
}
