package io.github.pgisolated.examples.shop;

import static io.github.pgisolated.examples.shop.Seed.MUG;
import static io.github.pgisolated.examples.shop.Seed.NEXT_PRODUCT_ID;
import static io.github.pgisolated.examples.shop.Seed.PEN;
import static io.github.pgisolated.examples.shop.Seed.SICP;
import static io.github.pgisolated.examples.shop.Seed.TAOCP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pgisolated.junit5.PgIsolated;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The repository is built once per test, in the constructor, from a {@link DataSource} the
 * extension passes in: JUnit creates a new instance for every test method, and each instance
 * gets that method's database.
 */
@PgIsolated(scripts = {"db/schema.sql", "db/seed.sql"})
class ProductRepositoryTest {

  private final DataSource db;
  private final ProductRepository products;
  private final String constructorsDatabase;

  ProductRepositoryTest(DataSource db) throws SQLException {
    this.db = db;
    this.products = new ProductRepository(db);
    this.constructorsDatabase = Jdbc.databaseIdentity(db);
  }

  @BeforeEach
  void startsFromTheSeed() throws SQLException {
    Seed.assertUntouched(db);
  }

  @Test
  void theConstructorGetsTheSameDatabaseAsTheTest(DataSource testsDb) throws Exception {
    Seed.assertUntouched(testsDb);

    assertThat(Jdbc.databaseIdentity(testsDb)).isEqualTo(constructorsDatabase);
  }

  @Test
  void productsOutOfStockAreNotListed() {
    assertThat(products.findInStock()).extracting(Product::sku).containsExactly(SICP, TAOCP, PEN);
  }

  @Test
  void addingAProductReturnsItWithItsGeneratedId() {
    Product product = products.add("BOOK-GOF", "Design Patterns", 3900, 4);

    assertThat(product).isEqualTo(new Product(NEXT_PRODUCT_ID, "BOOK-GOF", "Design Patterns", 3900, 4));
    assertThat(products.findBySku("BOOK-GOF")).contains(product);
  }

  @Test
  void addingATakenSkuIsRejectedByTheUniqueConstraint() throws Exception {
    assertThatThrownBy(() -> products.add(SICP, "A second SICP", 100, 1))
        .isInstanceOf(ShopException.class)
        .cause()
        .hasMessageContaining("product_sku_key");
    Seed.assertUntouched(db);
  }

  @Test
  void aNegativePriceIsRejectedByTheCheckConstraint() {
    assertThatThrownBy(() -> products.changePrice(PEN, -1))
        .isInstanceOf(ShopException.class)
        .hasMessage("Could not change the price of PEN-RED to -1")
        .cause()
        .hasMessageContaining("product_price_cents_check");
    assertThat(products.findBySku(PEN)).map(Product::priceCents).contains(150);
  }

  @Test
  void aNegativeStockIsRejectedByTheCheckConstraint() {
    assertThatThrownBy(() -> products.add("BOOK-NEG", "Negative stock", 100, -1))
        .isInstanceOf(ShopException.class)
        .cause()
        .hasMessageContaining("product_stock_check");
    assertThat(products.findBySku("BOOK-NEG")).isEmpty();
  }

  @Test
  void aNewPriceIsWhatTheNextQuerySees() {
    assertThat(products.changePrice(TAOCP, 17900)).isTrue();

    assertThat(products.findBySku(TAOCP)).map(Product::priceCents).contains(17900);
  }

  @Test
  void changingThePriceOfAnUnknownSkuChangesNothing() throws Exception {
    assertThat(products.changePrice("NOPE", 100)).isFalse();

    Seed.assertUntouched(db);
  }

  @Test
  void restockingPutsAProductBackOnTheShelf() {
    assertThat(products.restock(MUG, 5)).isEqualTo(5);

    assertThat(products.findInStock()).extracting(Product::sku).containsExactly(SICP, TAOCP, MUG, PEN);
  }

  @Test
  void restockingAnUnknownSkuFails() {
    assertThatThrownBy(() -> products.restock("NOPE", 5))
        .isInstanceOf(UnknownProductException.class)
        .hasMessage("No product with SKU NOPE");
  }
}
