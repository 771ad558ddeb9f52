package io.github.pgisolated.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.core.internal.engine.PoolEngine;
import io.github.pgisolated.core.internal.report.RunReport;
import io.github.pgisolated.core.internal.report.Samples;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RunReportTests {

  @Test
  void samplesGiveQuantilesInMilliseconds() {
    Samples samples = new Samples();
    for (int i = 1; i <= 100; i++) {
      samples.add(i * 1_000_000L);
    }
    assertThat(samples.count()).isEqualTo(100);
    assertThat(samples.quantileMillis(0.5)).isEqualTo(50.0);
    assertThat(samples.quantileMillis(0.99)).isEqualTo(99.0);
    assertThat(samples.quantileMillis(1)).isEqualTo(100.0);
    assertThat(new Samples().quantileMillis(0.5)).isZero();
  }

  @Test
  void thePoolCountsLeasesBuildsReusesAndResets() throws Exception {
    TemplateDefinition template = TemplateDefinition.builder().scripts("db/shop.sql")
        .hashInput(UUID.randomUUID().toString()).build();
    PgIsolatedConfig config = TestPostgres.config(Map.of("pgisolated.coordinator", "none", "pgisolated.pool.max-size", "1",
        "pgisolated.pool.initial-size", "1"));
    String hash;
    try (PgIsolatedPool pool = PgIsolatedPool.start(config)) {
      hash = ((PoolEngine) pool).templateHash(template);
      for (int i = 0; i < 3; i++) {
        try (DatabaseLease lease = pool.lease(template)) {
          assertThat(lease.database().databaseName()).startsWith("pgisolated_" + hash);
        }
      }
      RunReport report = ((PoolEngine) pool).report();
      assertThat(report.leases().count()).isEqualTo(3);
      assertThat(report.builds().count()).isEqualTo(1);
      assertThat(report.recreations().count()).as("the one clone, created once").isEqualTo(1);
      assertThat(report.unchanged()).as("tests that changed nothing: their clone goes on as it is").isGreaterThanOrEqualTo(2);
      assertThat(report.recreationReasons()).isEmpty();
    }
    PgIsolatedPool again = PgIsolatedPool.start(config);
    try (DatabaseLease lease = again.lease(template)) {
      assertThat(lease.templateHash()).isEqualTo(hash);
    }
    assertThat(((PoolEngine) again).report().reused()).isEqualTo(1);
    assertThat(((PoolEngine) again).report().builds().count()).isZero();
    // Closed first: a pool still recreating a clone would race the drop.
    again.close();
    TestPostgres.dropDatabasesOf(again, List.of(hash));
  }
}
