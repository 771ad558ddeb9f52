package io.github.pgisolated.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.core.internal.engine.PoolEngine;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two runs one after the other on one server: the clones a run leaves ready are stamped clean, and
 * the next run hands them out without making new ones, unless somebody connected to them between
 * the runs.
 */
class PoolAcrossRunsTests {

  private static Map<String, String> run(Path coordination) {
    return Map.of("pgisolated.coordinator.directory", coordination.toString(), "pgisolated.pool.initial-size", "2",
        "pgisolated.prefetch", "false", "pgisolated.pool.refill", "false");
  }

  private static TemplateDefinition freshTemplate() {
    return TemplateDefinition.builder().scripts("db/shop.sql").hashInput(UUID.randomUUID().toString()).build();
  }

  /** Leases two clones at once, lets the tests only read, and closes the run. */
  private static List<PgDatabase> firstRun(Path coordination, TemplateDefinition template) throws SQLException {
    List<PgDatabase> used = new ArrayList<>();
    try (PgIsolatedPool first = PgIsolatedPool.start(TestPostgres.config(run(coordination)));
        DatabaseLease one = first.lease(template);
        DatabaseLease two = first.lease(template)) {
      for (DatabaseLease lease : List.of(one, two)) {
        assertThat(customers(lease.database(), "%")).isEqualTo(2);
        used.add(lease.database());
      }
    }
    return used;
  }

  @Test
  void theClonesARunLeftReadyAreHandedOutByTheNextRunWithoutMakingNewOnes(@TempDir Path coordination)
      throws Exception {
    TemplateDefinition template = freshTemplate();
    Set<Long> left = oids(firstRun(coordination, template));
    try (PgIsolatedPool next = PgIsolatedPool.start(TestPostgres.config(run(coordination)));
        DatabaseLease lease = next.lease(template)) {
      String report = ((PoolEngine) next).report().format("the next run");
      assertThat(oid(lease.database())).as("one of the databases the first run left (%s); %s", left, report).isIn(left);
      assertThat(customers(lease.database(), "%")).isEqualTo(2);
      assertThat(((PoolEngine) next).report().recreations().count()).as("clones the next run made; %s", report).isZero();
    } finally {
      dropAll(coordination, template);
    }
  }

  @Test
  void aCloneSomebodyConnectedToBetweenRunsIsNotAdoptedAsCleanEvenIfItLooksUnchanged(@TempDir Path coordination)
      throws Exception {
    TemplateDefinition template = freshTemplate();
    List<PgDatabase> used = firstRun(coordination, template);
    // A session that changes nothing a fingerprint would see: only the stamp's session count can tell.
    PgDatabase visited = used.get(0);
    long visitedOid = oid(visited);
    customers(visited, "%");
    try (PgIsolatedPool next = PgIsolatedPool.start(TestPostgres.config(run(coordination)));
        DatabaseLease one = next.lease(template);
        DatabaseLease two = next.lease(template)) {
      assertThat(List.of(oid(one.database()), oid(two.database())))
          .as("databases (by oid) of the next run; the visited one was %s", visitedOid)
          .doesNotContain(visitedOid)
          .contains(oid(used.get(1)));
    } finally {
      dropAll(coordination, template);
    }
  }

  @Test
  void aCloneSomebodyWroteToBetweenRunsIsNeverHandedOutAsClean(@TempDir Path coordination) throws Exception {
    TemplateDefinition template = freshTemplate();
    List<PgDatabase> used = firstRun(coordination, template);
    for (PgDatabase clone : used) {
      try (Connection c = DriverManager.getConnection(clone.jdbcUrl(), clone.user(), clone.password());
          Statement s = c.createStatement()) {
        s.execute("insert into customer (name) values ('written between the runs')");
      }
    }
    try (PgIsolatedPool next = PgIsolatedPool.start(TestPostgres.config(run(coordination)))) {
      List<DatabaseLease> leases = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          leases.add(next.lease(template));
        }
        for (DatabaseLease lease : leases) {
          assertThat(customers(lease.database(), "written between the runs"))
              .as("rows written to %s after its stamp", lease.database().databaseName()).isZero();
          assertThat(customers(lease.database(), "%")).isEqualTo(2);
        }
      } finally {
        leases.forEach(DatabaseLease::close);
      }
    } finally {
      dropAll(coordination, template);
    }
  }

  /** The oids of every clone of the template of these databases the first run left. */
  private static Set<Long> oids(List<PgDatabase> used) throws SQLException {
    PgDatabase any = used.get(0);
    String prefix = any.databaseName().substring(0, any.databaseName().lastIndexOf('_') + 1);
    try (Connection c = DriverManager.getConnection(any.jdbcUrl(), any.user(), any.password());
        PreparedStatement s = c.prepareStatement("select oid from pg_database where starts_with(datname, ?)"
            + " and not datistemplate")) {
      s.setString(1, prefix);
      Set<Long> oids = new HashSet<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          oids.add(rs.getLong(1));
        }
      }
      return oids;
    }
  }

  private static long oid(PgDatabase database) throws SQLException {
    try (Connection c = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select oid from pg_database where datname = current_database()")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static long customers(PgDatabase database, String namePattern) throws SQLException {
    try (Connection c = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select count(*) from customer where name like '" + namePattern + "'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void dropAll(Path coordination, TemplateDefinition template) throws SQLException {
    try (PgIsolatedPool cleanup = PgIsolatedPool.start(TestPostgres.config(Map.of("pgisolated.coordinator", "none")))) {
      TestPostgres.dropDatabasesOf(cleanup, List.of(((PoolEngine) cleanup).templateHash(template)));
    }
  }
}
