package io.github.pgisolated.examples.shop;

import static io.github.pgisolated.examples.shop.Seed.LINUS;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.junit5.PgIsolated;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A template built from the scripts <em>and</em> a {@link DemoCatalogue} initializer, which runs
 * after them. Its hash differs from the scripts-only template, so the two get separate pools.
 */
@PgIsolated(scripts = {"db/schema.sql", "db/seed.sql"}, initializer = DemoCatalogue.class)
class DemoCatalogueTest {

  @BeforeEach
  void startsWithTheSeedAndTheCatalogue(DataSource db) throws SQLException {
    assertThat(Jdbc.count(db, "product")).isEqualTo(4 + DemoCatalogue.SIZE);
    assertThat(Jdbc.count(db, "customer")).isEqualTo(3);
  }

  @Test
  void generatedProductsCanBeOrdered(DataSource db) {
    Order order = new OrderRepository(db).place(LINUS, List.of(new LineItem("DEMO-013", 6)));

    assertThat(order.totalCents()).isEqualTo(6 * 1300);
    assertThat(new ProductRepository(db).findBySku("DEMO-013")).map(Product::stock).contains(0);
  }

  @Test
  void everySeventhGeneratedProductIsOutOfStock(DataSource db) {
    List<Product> inStock = new ProductRepository(db).findInStock();

    assertThat(inStock).hasSize(3 + DemoCatalogue.SIZE - DemoCatalogue.SIZE / 7);
    assertThat(inStock).extracting(Product::sku).doesNotContain("DEMO-007", "DEMO-014", "MUG-LAMBDA");
  }

  @Test
  void newProductsGetIdsAfterTheCatalogue(DataSource db) {
    Product product = new ProductRepository(db).add("BOOK-SRE", "Site Reliability Engineering", 3500, 1);

    assertThat(product.id()).isEqualTo(Seed.NEXT_PRODUCT_ID + DemoCatalogue.SIZE);
  }

  @Test
  void deletingTheCatalogueOnlyEmptiesThisTestsDatabase(DataSource db) throws SQLException {
    assertThat(Jdbc.execute(db, "delete from product where sku like 'DEMO-%'")).isEqualTo(DemoCatalogue.SIZE);

    assertThat(Jdbc.count(db, "product")).isEqualTo(4);
  }

  @Test
  void theCataloguePricesFollowTheirNumber(DataSource db) throws SQLException {
    assertThat(Jdbc.value(db, "select count(*) from product where sku like 'DEMO-%' "
        + "and price_cents = 100 * substr(sku, 6)::integer")).isEqualTo(String.valueOf(DemoCatalogue.SIZE));
  }
}
