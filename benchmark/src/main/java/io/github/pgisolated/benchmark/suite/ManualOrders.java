package io.github.pgisolated.benchmark.suite;

import org.junit.jupiter.api.extension.ExtendWith;

/** The suite the by-hand way: rollback, on-demand clone or truncate-and-reseed, as {@code -Dbench.strategy} says. */
@ExtendWith(ManualDatabaseExtension.class)
public abstract class ManualOrders extends OrdersSuite {}
