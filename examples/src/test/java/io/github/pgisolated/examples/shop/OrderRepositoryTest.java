package io.github.pgisolated.examples.shop;

import static io.github.pgisolated.examples.shop.Seed.ADA;
import static io.github.pgisolated.examples.shop.Seed.ADAS_ORDER;
import static io.github.pgisolated.examples.shop.Seed.MUG;
import static io.github.pgisolated.examples.shop.Seed.NEXT_CUSTOMER_ID;
import static io.github.pgisolated.examples.shop.Seed.NEXT_ORDER_NUMBER;
import static io.github.pgisolated.examples.shop.Seed.PEN;
import static io.github.pgisolated.examples.shop.Seed.SICP;
import static io.github.pgisolated.examples.shop.Seed.TAOCP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pgisolated.junit5.PgIsolated;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Placing, finding, shipping and cancelling orders. {@code @BeforeEach} gets the test's database
 * and registers a customer in it; the {@code @Nested} classes inherit {@code @PgIsolated} and add
 * their own set-up on top, in the same database.
 */
@PgIsolated(scripts = {"db/schema.sql", "db/seed.sql"})
class OrderRepositoryTest {

  private OrderRepository orders;
  private ProductRepository products;
  private Customer barbara;
  private String beforeEachsDatabase;

  @BeforeEach
  void registerACustomer(DataSource db) throws SQLException {
    Seed.assertUntouched(db);
    orders = new OrderRepository(db);
    products = new ProductRepository(db);
    barbara = new CustomerRepository(db).register("barbara@example.com", "Barbara Liskov");
    beforeEachsDatabase = Jdbc.databaseIdentity(db);
  }

  @AfterEach
  void theCustomerIsStillThereAfterTheTest(Connection c) throws SQLException {
    assertThat(Jdbc.value(c, "select name from customer where email = 'barbara@example.com'"))
        .isEqualTo("Barbara Liskov");
  }

  @Test
  void beforeEachWorksInTheTestsOwnDatabase(DataSource db) throws SQLException {
    assertThat(Jdbc.databaseIdentity(db)).isEqualTo(beforeEachsDatabase);
    assertThat(barbara.id()).isEqualTo(NEXT_CUSTOMER_ID);
    assertThat(Jdbc.count(db, "customer")).isEqualTo(4);
  }

  @Test
  void placingAnOrderTakesTheNextOrderNumber() {
    Order order = orders.place(barbara.id(), List.of(new LineItem(SICP, 1)));

    assertThat(order.id()).isEqualTo(NEXT_ORDER_NUMBER);
    assertThat(order.status()).isEqualTo(OrderStatus.PLACED);
  }

  @Test
  void placingAnOrderDecrementsStock() {
    orders.place(barbara.id(), List.of(new LineItem(SICP, 3), new LineItem(PEN, 10)));

    assertThat(products.findBySku(SICP)).map(Product::stock).contains(7);
    assertThat(products.findBySku(PEN)).map(Product::stock).contains(90);
  }

  @Test
  void anOrderKeepsThePricesItWasPlacedAt() {
    Order order = orders.place(barbara.id(), List.of(new LineItem(TAOCP, 1)));

    products.changePrice(TAOCP, 24900);

    assertThat(orders.findById(order.id())).map(Order::totalCents).contains(19900L);
  }

  @Test
  void findingAnOrderReturnsItsLinesInTheOrderTheyWerePlaced() {
    Order placed = orders.place(barbara.id(), List.of(new LineItem(PEN, 2), new LineItem(SICP, 1)));

    Order found = orders.findById(placed.id()).orElseThrow();

    assertThat(found).isEqualTo(placed);
    assertThat(found.lines()).extracting(OrderLine::sku).containsExactly(PEN, SICP);
    assertThat(found.totalCents()).isEqualTo(2 * 150 + 4500);
  }

  @Test
  void anOrderForMoreThanIsInStockRollsBackEntirely(DataSource db) throws SQLException {
    List<LineItem> items = List.of(new LineItem(SICP, 1), new LineItem(TAOCP, 3));

    assertThatThrownBy(() -> orders.place(barbara.id(), items))
        .isInstanceOf(InsufficientStockException.class)
        .hasMessage("Not enough BOOK-TAOCP in stock for 3");

    // The first line's stock update and the order row were rolled back with the failing line.
    assertThat(products.findBySku(SICP)).map(Product::stock).contains(10);
    assertThat(Jdbc.count(db, "orders")).isEqualTo(1);
    assertThat(Jdbc.count(db, "order_line")).isEqualTo(2);
  }

  @Test
  void aMugOutOfStockCannotBeOrderedAtAll() {
    assertThatThrownBy(() -> orders.place(barbara.id(), List.of(new LineItem(MUG, 1))))
        .isInstanceOfSatisfying(InsufficientStockException.class, e -> assertThat(e.sku()).isEqualTo(MUG));
  }

  @Test
  void anOrderForAnUnknownProductRollsBack(DataSource db) throws SQLException {
    List<LineItem> items = List.of(new LineItem(PEN, 5), new LineItem("BOOK-NONE", 1));

    assertThatThrownBy(() -> orders.place(barbara.id(), items))
        .isInstanceOf(UnknownProductException.class);

    assertThat(products.findBySku(PEN)).map(Product::stock).contains(100);
    assertThat(Jdbc.count(db, "orders")).isEqualTo(1);
  }

  @Test
  void anOrderForAnUnknownCustomerIsRefusedByTheForeignKey() {
    assertThatThrownBy(() -> orders.place(99, List.of(new LineItem(PEN, 1))))
        .isInstanceOf(ShopException.class)
        .hasMessage("No customer with id 99");

    assertThat(products.findBySku(PEN)).map(Product::stock).contains(100);
  }

  @Test
  void aFailedOrderStillUsesUpAnOrderNumber() {
    assertThatThrownBy(() -> orders.place(barbara.id(), List.of(new LineItem(MUG, 1))))
        .isInstanceOf(InsufficientStockException.class);

    Order order = orders.place(barbara.id(), List.of(new LineItem(PEN, 1)));

    // nextval() is not rolled back: the failed order took 1001.
    assertThat(order.id()).isEqualTo(NEXT_ORDER_NUMBER + 1);
  }

  @Test
  void summariesJoinOrdersWithTheirCustomersAndLines() {
    Order order = orders.place(barbara.id(), List.of(new LineItem(TAOCP, 2)));

    assertThat(orders.summaries()).containsExactly(
        new OrderSummary(ADAS_ORDER, "Ada Lovelace", OrderStatus.PLACED, 4, 4500 + 3 * 150),
        new OrderSummary(order.id(), "Barbara Liskov", OrderStatus.PLACED, 2, 2 * 19900));
  }

  @Test
  void cancellingAnOrderPutsItsItemsBackInStock() {
    Order order = orders.place(barbara.id(), List.of(new LineItem(TAOCP, 2), new LineItem(PEN, 1)));
    assertThat(products.findBySku(TAOCP)).map(Product::stock).contains(0);

    assertThat(orders.cancel(order.id())).isTrue();

    assertThat(products.findBySku(TAOCP)).map(Product::stock).contains(2);
    assertThat(products.findBySku(PEN)).map(Product::stock).contains(100);
    assertThat(orders.findById(order.id())).map(Order::status).contains(OrderStatus.CANCELLED);
  }

  @Test
  void aShippedOrderCannotBeCancelled() {
    assertThat(orders.ship(ADAS_ORDER)).isTrue();

    assertThat(orders.cancel(ADAS_ORDER)).isFalse();

    assertThat(orders.findById(ADAS_ORDER)).map(Order::status).contains(OrderStatus.SHIPPED);
    assertThat(products.findBySku(SICP)).map(Product::stock).contains(10);
  }

  @Test
  void anOrderCannotRepeatAProduct() {
    List<LineItem> items = List.of(new LineItem(PEN, 1), new LineItem(PEN, 2));

    assertThatThrownBy(() -> orders.place(barbara.id(), items))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PEN-RED is on more than one line");
  }

  /** Runs the outer {@code @BeforeEach}, then its own, in the database of each of its tests. */
  @Nested
  class WhenTheCustomerHasAnOrder {

    private Order order;

    @BeforeEach
    void placeAnOrder() {
      order = orders.place(barbara.id(), List.of(new LineItem(SICP, 2), new LineItem(PEN, 5)));
    }

    @Test
    void itIsTheOnlyOrderBesidesTheSeedOne(DataSource db) throws SQLException {
      assertThat(Jdbc.databaseIdentity(db)).isEqualTo(beforeEachsDatabase);
      assertThat(orders.summaries())
          .extracting(OrderSummary::orderId)
          .containsExactly(ADAS_ORDER, NEXT_ORDER_NUMBER);
    }

    @Test
    void cancellingItTwiceOnlyWorksOnce() {
      assertThat(orders.cancel(order.id())).isTrue();
      assertThat(orders.cancel(order.id())).isFalse();

      assertThat(products.findBySku(SICP)).map(Product::stock).contains(10);
    }

    @Test
    void theCustomerCannotBeDeleted(DataSource db) {
      CustomerRepository customers = new CustomerRepository(db);

      assertThatThrownBy(() -> customers.delete(barbara.id()))
          .isInstanceOf(ShopException.class)
          .hasMessageContaining("has orders");
    }

    @Test
    void deletingTheOrderCascadesToItsLines(Connection c) throws SQLException {
      assertThat(Jdbc.execute(c, "delete from orders where id = " + order.id())).isEqualTo(1);

      assertThat(Jdbc.count(c, "order_line")).isEqualTo(2);
    }
  }

  /** The whole stock of a product is sold before each test. */
  @Nested
  class WhenAProductSellsOut {

    @BeforeEach
    void buyEveryCopy() {
      orders.place(ADA, List.of(new LineItem(TAOCP, 2)));
    }

    @Test
    void itIsNoLongerListedAsInStock() {
      assertThat(products.findInStock()).extracting(Product::sku).containsExactly(SICP, PEN);
    }

    @Test
    void theNextOrderForItFails() {
      assertThatThrownBy(() -> orders.place(barbara.id(), List.of(new LineItem(TAOCP, 1))))
          .isInstanceOf(InsufficientStockException.class);
    }

    @Test
    void restockingMakesItOrderableAgain() {
      products.restock(TAOCP, 1);

      Order order = orders.place(barbara.id(), List.of(new LineItem(TAOCP, 1)));

      assertThat(order.totalCents()).isEqualTo(19900);
      assertThat(products.findBySku(TAOCP)).map(Product::stock).contains(0);
    }
  }
}
