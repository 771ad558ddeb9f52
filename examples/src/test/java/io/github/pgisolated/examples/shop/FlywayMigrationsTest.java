package io.github.pgisolated.examples.shop;

import static io.github.pgisolated.examples.shop.Seed.ADA;
import static io.github.pgisolated.examples.shop.Seed.GRACE;
import static io.github.pgisolated.examples.shop.Seed.NEXT_CUSTOMER_ID;
import static io.github.pgisolated.examples.shop.Seed.NEXT_ORDER_NUMBER;
import static io.github.pgisolated.examples.shop.Seed.TAOCP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pgisolated.junit5.PgIsolated;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shop as its Flyway migrations build it ({@code src/main/resources/db/migration}): V1 the
 * tables, V2 the seed rows, V3 product reviews. Flyway runs once, into the template, not once per
 * test; every test gets a clone of the migrated database, whatever the other tests wrote to
 * theirs. Editing or adding a migration rebuilds the template on the next run.
 */
@PgIsolated(flyway = "classpath:db/migration")
class FlywayMigrationsTest {

  @BeforeEach
  void startsFromTheMigratedSeed(Connection c) throws SQLException {
    assertThat(Jdbc.column(c, "select email from customer order by id"))
        .containsExactly("ada@example.com", "grace@example.com", "linus@example.com");
    assertThat(Jdbc.count(c, "review")).isEqualTo(1);
    assertThat(Jdbc.count(c, "orders")).isEqualTo(1);
  }

  @Test
  void everyMigrationIsAppliedOnce(Connection c) throws SQLException {
    assertThat(Jdbc.column(c, "select version || ' ' || description || ' ' || success"
            + " from flyway_schema_history order by installed_rank"))
        .containsExactly("1 create shop true", "2 seed shop true", "3 add reviews true");
    assertThat(Jdbc.column(c, "select stars || ' ' || body from review"))
        .containsExactly("5 Still the best book on programming.");
  }

  @Test
  void placesAnOrderWithTheApplicationsRepository(DataSource db) throws SQLException {
    Order order = new OrderRepository(db).place(ADA, List.of(new LineItem(TAOCP, 2)));

    assertThat(order.id()).isEqualTo(NEXT_ORDER_NUMBER);
    assertThat(new ProductRepository(db).findBySku(TAOCP)).map(Product::stock).contains(0);
    assertThat(Jdbc.count(db, "orders")).isEqualTo(2);
  }

  @Test
  void aCustomerReviewsAProductOnce(Connection c) throws SQLException {
    Jdbc.execute(c, "insert into review (product_id, customer_id, stars, body) values (2, " + ADA + ", 4, 'Dense.')");
    assertThat(Jdbc.value(c, "select round(avg(stars), 1) from review")).isEqualTo("4.5");

    assertThatThrownBy(() -> Jdbc.execute(c, "insert into review (product_id, customer_id, stars) values (1, " + GRACE + ", 3)"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("review_product_id_customer_id_key");
    assertThatThrownBy(() -> Jdbc.execute(c, "insert into review (product_id, customer_id, stars) values (3, " + ADA + ", 6)"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("review_stars_check");
  }

  @Test
  void registersACustomerWhoseIdFollowsTheSeed(DataSource db) throws SQLException {
    Customer alan = new CustomerRepository(db).register("alan@example.com", "Alan Turing");

    assertThat(alan.id()).isEqualTo(NEXT_CUSTOMER_ID);
    Jdbc.execute(db, "insert into review (product_id, customer_id, stars) values (4, " + alan.id() + ", 2)");
    assertThat(Jdbc.count(db, "review")).isEqualTo(2);
  }
}
