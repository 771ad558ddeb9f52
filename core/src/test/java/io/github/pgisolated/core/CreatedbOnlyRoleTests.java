package io.github.pgisolated.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pgisolated.core.internal.db.DatabaseAdmin;
import io.github.pgisolated.core.internal.engine.PoolEngine;
import io.github.pgisolated.core.internal.report.RunReport;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * pgisolated on an external server as a role with CREATEDB and nothing more (no superuser, no
 * pg_signal_backend), the usual CI role on a shared server: everything that can work works, and
 * what needs more privilege says which.
 */
class CreatedbOnlyRoleTests {
  private PgIsolatedPool superuser;
  private TestRoles roles;
  private String role;
  private TemplateDefinition template;

  @BeforeEach
  void createTheRole() throws SQLException {
    superuser = PgIsolatedPool.start(TestPostgres.config(Map.of("pgisolated.coordinator", "none")));
    roles = new TestRoles(superuser);
    role = roles.create("pgis_ci", "createdb");
    template = TemplateDefinition.builder().scripts("db/ledger.sql").hashInput("createdb-" + UUID.randomUUID()).build();
  }

  @AfterEach
  void dropTheRoleAndItsDatabases() throws SQLException {
    try {
      roles.close();
    } finally {
      superuser.close();
    }
  }

  private PgIsolatedPool poolAsTheRole() {
    Map<String, String> config = new HashMap<>(roles.externalConfig(role));
    config.put("pgisolated.coordinator", "none");
    config.put("pgisolated.pool.initial-size", "1");
    config.put("pgisolated.pool.max-size", "3");
    config.put("pgisolated.reset.verify", "true");
    return PgIsolatedPool.start(TestPostgres.config(config));
  }

  @Test
  void aCreatedbRoleBuildsItsOwnTemplateAndLeasesFreshClonesThoughItCannotResetThemInPlace() throws SQLException {
    try (PgIsolatedPool pool = poolAsTheRole()) {
      RunReport report = ((PoolEngine) pool).report();
      for (int i = 0; i < 3; i++) {
        try (DatabaseLease lease = pool.lease(template); Connection c = lease.dataSource().getConnection();
            Statement s = c.createStatement()) {
          assertThat(count(s, "select count(*) from holder")).as("holder rows when leased").isZero();
          s.execute("insert into holder (pid) values (1)");
        }
      }
      // Rows go back in place with triggers off (session_replication_role), which a plain role
      // may not set: its clones are recreated instead (TemplateSnapshot says what to grant).
      assertThat(report.resets().count()).as("resets in place").isZero();
      String hash = ((PoolEngine) pool).templateHash(template);
      assertThat(hash).as("a plain role's templates are its own: other roles could clone them but not use their tables")
          .isNotEqualTo(((PoolEngine) superuser).templateHash(template));
      assertThat(roles.databasesOf(role)).as("databases the role owns").contains("pgisolated_" + hash + "_tpl");
    }
  }

  @Test
  void aCreatedbRoleAllowedToSetSessionReplicationRoleResetsInPlace() throws SQLException {
    roles.execute("grant set on parameter session_replication_role to " + role);
    try (PgIsolatedPool pool = poolAsTheRole()) {
      RunReport report = ((PoolEngine) pool).report();
      String first;
      try (DatabaseLease lease = pool.lease(template); Connection c = lease.dataSource().getConnection();
          Statement s = c.createStatement()) {
        first = lease.database().databaseName();
        s.execute("insert into holder (pid) values (1)");
      }
      // Only rows changed: put back in place (verified against the template), the same clone again.
      assertThat(report.resets().count()).as("resets in place").isEqualTo(1);
      try (DatabaseLease lease = pool.lease(template); Connection c = lease.dataSource().getConnection();
          Statement s = c.createStatement()) {
        assertThat(lease.database().databaseName()).isEqualTo(first);
        assertThat(count(s, "select count(*) from holder")).isZero();
        s.execute("create table extra (id int)");
      }
      assertThat(report.recreationReasons()).containsKey("schema changed");
    }
  }

  @Test
  void droppingADatabaseWithAnotherRolesSessionSaysToGrantPgSignalBackend() throws Exception {
    String other = roles.create("pgis_app", "");
    String database = "pgisolated_session_" + UUID.randomUUID().toString().substring(0, 8);
    try (PgIsolatedPool pool = poolAsTheRole()) {
      DatabaseAdmin admin = ((PoolEngine) pool).admin();
      assertThat(admin.currentRoleUnlessSuperuser()).contains(role);
      admin.createEmpty(database, "a test's");
      try (Connection foreign = roles.as(other, database)) {
        assertThatThrownBy(() -> admin.drop(database)).isInstanceOf(SQLException.class)
            .hasMessageContaining("Role " + role + " could not end the sessions on database " + database)
            .hasMessageContaining("GRANT pg_signal_backend TO " + role);
        assertThat(foreign.isValid(1)).as("the other role's session").isTrue();
        // With the privilege the message names, the same drop works.
        roles.execute("grant pg_signal_backend to " + role);
        admin.drop(database);
        assertThat(roles.databasesOf(role)).doesNotContain(database);
      }
    }
  }

  @Test
  void droppingAnotherRolesDatabaseSaysWhoseItIs() throws SQLException {
    String database = "pgisolated_foreign_" + UUID.randomUUID().toString().substring(0, 8);
    roles.execute("create database " + database + " owner " + roles.create("pgis_owner", ""));
    try (PgIsolatedPool pool = poolAsTheRole()) {
      DatabaseAdmin admin = ((PoolEngine) pool).admin();
      assertThat(admin.droppableLike("pgisolated\\_foreign\\_%")).doesNotContain(database);
      assertThatThrownBy(() -> admin.drop(database)).isInstanceOf(SQLException.class)
          .hasMessageContaining("Role " + role + " may not drop database " + database)
          .hasMessageContaining("It belongs to role pgis_owner_")
          .hasMessageContaining("GRANT pgis_owner_");
    }
  }

  private static long count(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
