package io.github.pgisolated.benchmark.suite;

import io.github.pgisolated.junit5.PgIsolated;

/** The suite with {@code @PgIsolated}: every test gets a database of its own from the warm pool. */
@PgIsolated(scripts = {IsolatedOrders.SCHEMA, IsolatedOrders.SEED})
public abstract class IsolatedOrders extends OrdersSuite {
  public static final String SCHEMA = "bench/schema.sql";
  public static final String SEED = "bench/seed.sql";
}
