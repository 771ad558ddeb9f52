package io.github.pgisolated.examples.shop;

import static io.github.pgisolated.examples.shop.Seed.ADA;
import static io.github.pgisolated.examples.shop.Seed.GRACE;
import static io.github.pgisolated.examples.shop.Seed.LINUS;
import static io.github.pgisolated.examples.shop.Seed.NEXT_CUSTOMER_ID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.github.pgisolated.junit5.PgIsolated;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The repository against a real database: each test method takes its own {@link DataSource}. */
@PgIsolated(scripts = {"db/schema.sql", "db/seed.sql"})
class CustomerRepositoryTest {

  @Test
  void listsTheSeedCustomersInTheOrderTheyRegistered(DataSource db) throws Exception {
    Seed.assertUntouched(db);

    assertThat(new CustomerRepository(db).findAll())
        .extracting(Customer::id, Customer::name)
        .containsExactly(
            tuple(ADA, "Ada Lovelace"),
            tuple(GRACE, "Grace Hopper"),
            tuple(LINUS, "Linus Torvalds"));
  }

  @Test
  void registeringACustomerAssignsTheNextId(DataSource db) throws Exception {
    Seed.assertUntouched(db);
    CustomerRepository customers = new CustomerRepository(db);

    Customer barbara = customers.register("barbara@example.com", "Barbara Liskov");

    assertThat(barbara).isEqualTo(new Customer(NEXT_CUSTOMER_ID, "barbara@example.com", "Barbara Liskov"));
    assertThat(customers.findById(NEXT_CUSTOMER_ID)).contains(barbara);
  }

  @Test
  void aRegisteredCustomerCanBeFoundByEmail(DataSource db) throws Exception {
    Seed.assertUntouched(db);
    CustomerRepository customers = new CustomerRepository(db);

    Customer edsger = customers.register("edsger@example.com", "Edsger Dijkstra");

    assertThat(customers.findByEmail("edsger@example.com")).contains(edsger);
    assertThat(customers.findAll()).hasSize(4).endsWith(edsger);
  }

  @Test
  void registeringATakenEmailIsRejected(DataSource db) throws Exception {
    Seed.assertUntouched(db);
    CustomerRepository customers = new CustomerRepository(db);

    assertThatThrownBy(() -> customers.register("ada@example.com", "Another Ada"))
        .isInstanceOf(DuplicateEmailException.class)
        .hasMessage("A customer with email ada@example.com already exists");
    assertThat(customers.findAll()).hasSize(3);
  }

  @Test
  void aFailedRegistrationStillUsesUpAnId(DataSource db) throws Exception {
    Seed.assertUntouched(db);
    CustomerRepository customers = new CustomerRepository(db);
    assertThatThrownBy(() -> customers.register("grace@example.com", "Grace Again"))
        .isInstanceOf(DuplicateEmailException.class);

    Customer next = customers.register("niklaus@example.com", "Niklaus Wirth");

    // Sequences are not transactional: the failed insert took id 4.
    assertThat(next.id()).isEqualTo(NEXT_CUSTOMER_ID + 1);
  }

  @Test
  void renamingACustomerChangesOnlyTheirName(DataSource db) throws Exception {
    Seed.assertUntouched(db);
    CustomerRepository customers = new CustomerRepository(db);

    assertThat(customers.rename(GRACE, "Rear Admiral Grace Hopper")).isTrue();

    assertThat(customers.findById(GRACE))
        .contains(new Customer(GRACE, "grace@example.com", "Rear Admiral Grace Hopper"));
    assertThat(customers.findById(ADA)).map(Customer::name).contains("Ada Lovelace");
  }

  @Test
  void renamingAnUnknownCustomerChangesNothing(DataSource db) throws Exception {
    Seed.assertUntouched(db);

    assertThat(new CustomerRepository(db).rename(42, "Nobody")).isFalse();

    Seed.assertUntouched(db);
  }

  @Test
  void deletingACustomerWithoutOrdersRemovesThem(DataSource db) throws Exception {
    Seed.assertUntouched(db);
    CustomerRepository customers = new CustomerRepository(db);

    assertThat(customers.delete(LINUS)).isTrue();

    assertThat(customers.findById(LINUS)).isEmpty();
    assertThat(customers.findAll()).extracting(Customer::id).containsExactly(ADA, GRACE);
  }

  @Test
  void deletingACustomerWithOrdersIsRefusedByTheForeignKey(DataSource db) throws Exception {
    Seed.assertUntouched(db);
    CustomerRepository customers = new CustomerRepository(db);

    assertThatThrownBy(() -> customers.delete(ADA))
        .isInstanceOf(ShopException.class)
        .hasMessage("Customer 1 has orders and cannot be deleted")
        .hasCauseInstanceOf(SQLException.class);
    assertThat(customers.findById(ADA)).isPresent();
  }

  @Test
  void aDeletedCustomersEmailCanBeUsedAgain(DataSource db) throws Exception {
    Seed.assertUntouched(db);
    CustomerRepository customers = new CustomerRepository(db);
    customers.delete(GRACE);

    Customer newGrace = customers.register("grace@example.com", "Grace Brewster Murray Hopper");

    assertThat(customers.findByEmail("grace@example.com")).contains(newGrace);
    assertThat(newGrace.id()).isNotEqualTo(GRACE);
  }
}
