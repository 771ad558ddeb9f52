package io.github.pgisolated.core.internal.migrations;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.core.PgDatabase;
import io.github.pgisolated.core.PgIsolatedPool;
import io.github.pgisolated.core.TestPostgres;
import io.github.pgisolated.core.internal.engine.PoolEngine;
import io.github.pgisolated.core.internal.server.ServerEndpoint;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MigrationDataSourceTests {

  @Test
  void closesEveryConnectionTheToolLeftOpenAndCountsThem() throws Exception {
    try (PgIsolatedPool pool = PgIsolatedPool.start(TestPostgres.config(Map.of("pgisolated.coordinator", "none")))) {
      ServerEndpoint endpoint = ((PoolEngine) pool).endpoint();
      PgDatabase maintenance = endpoint.database(endpoint.maintenanceDatabase());
      MigrationDataSource connections = new MigrationDataSource(maintenance);

      Connection closedByTheTool = connections.getConnection();
      Connection leftOpen = connections.getConnection();
      try (Statement s = leftOpen.createStatement(); ResultSet rs = s.executeQuery("select current_setting('application_name')")) {
        rs.next();
        assertThat(rs.getString(1)).as("named as pgisolated's own session").isEqualTo("pgisolated");
      }
      closedByTheTool.close();

      assertThat(connections.closeAll()).isEqualTo(1);
      assertThat(leftOpen.isClosed()).isTrue();
      assertThat(connections.closeAll()).as("nothing left the second time").isZero();
    }
  }
}
