/**
 * A small shop's data layer in plain JDBC: customers, products, orders and order lines.
 *
 * <p>Nothing here knows about pgisolated. The repositories take a {@link javax.sql.DataSource}, as
 * application code usually does, and the tests hand them the data source of a database of their
 * own. The schema lives in {@code db/schema.sql} and the reference rows in {@code db/seed.sql}.
 */
package io.github.pgisolated.examples.shop;
