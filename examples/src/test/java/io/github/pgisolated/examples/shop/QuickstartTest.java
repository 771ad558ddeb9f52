package io.github.pgisolated.examples.shop;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.junit5.PgIsolated;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

// readme:start:basic
@PgIsolated(scripts = {"db/schema.sql", "db/seed.sql"})
class QuickstartTest {

  @Test
  void registersACustomer(DataSource db) {
    CustomerRepository customers = new CustomerRepository(db);
    assertThat(customers.findAll()).hasSize(3); // the seed rows, whatever other tests did

    Customer alan = customers.register("alan@example.com", "Alan Turing");

    assertThat(customers.findByEmail("alan@example.com")).contains(alan);
  }

  @Test
  void registersTheSameEmailInAnotherDatabase(DataSource db) {
    CustomerRepository customers = new CustomerRepository(db);
    assertThat(customers.findAll()).hasSize(3);

    // The email is unique, yet this passes next to the test above, even in parallel.
    Customer alan = customers.register("alan@example.com", "Alan M. Turing");

    assertThat(alan.id()).isEqualTo(4); // every database's sequences start where the template's were
  }
}
// readme:end:basic
