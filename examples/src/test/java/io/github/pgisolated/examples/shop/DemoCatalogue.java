package io.github.pgisolated.examples.shop;

import io.github.pgisolated.core.TemplateInitializer;
import javax.sql.DataSource;

// readme:start:initializer
/**
 * Adds 200 generated products to the template, through the application's own repository. Runs
 * once per template, not once per test; changing this class rebuilds the template.
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
