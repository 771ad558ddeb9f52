package io.github.pgisolated.benchmark.suite;

import io.github.pgisolated.junit5.PgIsolated;

/** The suite with {@code @PgIsolated} on the larger schema. */
@PgIsolated(scripts = {IsolatedLarge.SCHEMA, IsolatedLarge.SEED})
public abstract class IsolatedLarge extends OrdersSuite {
  public static final String SCHEMA = "bench/large/schema.sql";
  public static final String SEED = "bench/large/seed.sql";
}
