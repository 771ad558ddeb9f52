package io.github.pgisolated.benchmark.suite;

import io.github.pgisolated.junit5.PgIsolated;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** One {@code @PgIsolated} test, with the suite's template: the benchmark's time to first test runs only this. */
@PgIsolated(scripts = {IsolatedOrders.SCHEMA, IsolatedOrders.SEED})
class StartProbe {
  @Test
  void firstTest(DataSource db) throws SQLException {
    SmallWorkload.run(db, 0, 1);
  }
}
