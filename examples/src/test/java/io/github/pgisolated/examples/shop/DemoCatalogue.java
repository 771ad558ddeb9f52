package io.github.pgisolated.examples.shop;

import io.github.pgisolated.core.TemplateInitializer;
import javax.sql.DataSource;

// readme:start:initializer
/**
 * Adds 200 generated products to the template, through the application's own repository. Runs
 * once per template, after the scripts, not once per test. Used as
 * {@code @PgIsolated(scripts = {"db/schema.sql", "db/seed.sql"}, initializer = DemoCatalogue.class)}.
 *
 * <p>This class's bytecode is part of the template's hash, so changing it rebuilds the template;
 * the bytecode of the classes it calls ({@code ProductRepository}) is not.
 */
public class DemoCatalogue implements TemplateInitializer {

  static final int SIZE = 200;

  @Override
  public void initialize(DataSource template) {
    ProductRepository products = new ProductRepository(template);
    for (int i = 1; i <= SIZE; i++) {
      // every seventh product is out of stock
      products.add("DEMO-%03d".formatted(i), "Demo product " + i, 100 * i, i % 7);
    }
  }
}
// readme:end:initializer
