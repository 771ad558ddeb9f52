package io.github.pgisolated.core;

import javax.sql.DataSource;

/**
 * Fills a template database with what every test database starts from: schema, reference data,
 * extensions. Runs once per template hash (not once per test) and its result is cloned for each
 * test.
 *
 * <p>For <em>users</em>. The class needs a public no-argument constructor. Its bytecode is part of
 * the template hash, so changing the class rebuilds the template.
 *
 * <pre>{@code
 * public class ShopSchema implements TemplateInitializer {
 *   @Override
 *   public void initialize(DataSource template) throws Exception {
 *     try (Connection c = template.getConnection(); Statement s = c.createStatement()) {
 *       s.execute("create table customer (id bigserial primary key, name text not null)");
 *     }
 *   }
 * }
 *
 * @PgIsolated(initializer = ShopSchema.class)
 * class CustomerRepositoryTest { ... }
 * }</pre>
 *
 * <p>Close every connection you open: the template cannot be cloned while it has connections
 * (pgisolated terminates leftovers and warns).
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface TemplateInitializer {

  /**
   * Initialises the template database.
   *
   * @param template a data source connected to the template database, as superuser
   * @throws Exception any failure; the template is then discarded and the error reported to
   *     every test that wanted a database from it
   */
  void initialize(DataSource template) throws Exception;
}
