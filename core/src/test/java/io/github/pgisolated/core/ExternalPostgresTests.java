package io.github.pgisolated.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pgisolated.core.internal.engine.PoolEngine;
import io.github.pgisolated.core.internal.server.ServerEndpoint;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code pgisolated.postgres=external}, pointed at the test server as a user would point it at theirs. */
class ExternalPostgresTests {

  @Test
  void leasesDatabasesOnAServerTheUserRuns() throws Exception {
    try (PgIsolatedPool running = PgIsolatedPool.start(TestPostgres.config())) {
      ServerEndpoint server = ((PoolEngine) running).endpoint();
      PgIsolatedConfig external = PgIsolatedConfig.from(Map.of(
          "pgisolated.postgres", "external",
          "pgisolated.external.url", "jdbc:postgresql://" + server.host() + ":" + server.port() + "/postgres",
          "pgisolated.external.user", server.user(),
          "pgisolated.external.password", server.password()));
      try (PgIsolatedPool pool = PgIsolatedPool.start(external);
          DatabaseLease lease = pool.lease(TemplateDefinition.builder().scripts("db/shop.sql").build());
          Connection c = lease.dataSource().getConnection();
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("select count(*) from customer")) {
        assertThat(pool.serverDescription()).startsWith("external PostgreSQL " + server.majorVersion());
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(2);
      }
    }
  }

  @Test
  void aServerThatIsDownGivesAClearErrorNamingTheSettings() throws Exception {
    int freePort;
    try (ServerSocket socket = new ServerSocket(0)) {
      freePort = socket.getLocalPort();
    }
    PgIsolatedConfig config = PgIsolatedConfig.from(Map.of(
        "pgisolated.postgres", "external",
        "pgisolated.external.url", "jdbc:postgresql://127.0.0.1:" + freePort + "/postgres"));
    assertThatThrownBy(() -> PgIsolatedPool.start(config))
        .isInstanceOf(UnableToStartPostgresException.class)
        .hasMessageContaining("Could not connect to the external PostgreSQL at jdbc:postgresql://127.0.0.1:" + freePort)
        .hasMessageContaining("pgisolated.external.url")
        .hasMessageContaining("PGHOST, PGPORT, PGUSER, PGPASSWORD");
  }
}
