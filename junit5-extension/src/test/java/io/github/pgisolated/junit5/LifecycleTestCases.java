package io.github.pgisolated.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.core.PgDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Fixtures run through EngineTestKit by {@link PgIsolatedExtensionTests}; never run directly. */
class LifecycleTestCases {

  /** What the fixtures saw, by test display name and phase. */
  static final Map<String, String> SEEN = new ConcurrentHashMap<>();
  static final List<String> DATABASES = new CopyOnWriteArrayList<>();

  static String currentDatabase(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select current_database()")) {
      rs.next();
      return rs.getString(1);
    }
  }

  static long count(DataSource ds, String sql) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @PgIsolated(scripts = "db/shop.sql")
  static class AllParameterTypes {
    @Test
    void resolvesEveryType(DataSource dataSource, Connection connection, PgDatabase database) throws SQLException {
      try (Connection fromPool = dataSource.getConnection()) {
        SEEN.put("dataSource", currentDatabase(fromPool));
      }
      SEEN.put("connection", currentDatabase(connection));
      SEEN.put("database", database.databaseName());
      SEEN.put("customers", String.valueOf(count(dataSource, "select count(*) from customer")));
    }
  }

  @PgIsolated(scripts = "db/shop.sql")
  static class SharedAcrossLifecycle {
    private final String fromConstructor;

    SharedAcrossLifecycle(PgDatabase database) {
      this.fromConstructor = database.databaseName();
    }

    @BeforeEach
    void insertInSetup(Connection connection) throws SQLException {
      SEEN.put("beforeEach", currentDatabase(connection));
      try (Statement s = connection.createStatement()) {
        s.execute("insert into customer (name) values ('from-before-each')");
      }
    }

    @Test
    void seesWhatSetupDid(DataSource db) throws SQLException {
      SEEN.put("constructor", fromConstructor);
      try (Connection c = db.getConnection()) {
        SEEN.put("test", currentDatabase(c));
      }
      assertThat(count(db, "select count(*) from customer where name = 'from-before-each'")).isEqualTo(1);
    }

    @AfterEach
    void seesTheSameInTeardown(PgDatabase database) {
      SEEN.put("afterEach", database.databaseName());
    }
  }

  @PgIsolated(scripts = "db/shop.sql")
  static class EveryTestItsOwn {
    @RepeatedTest(6)
    void insertsTheSameUniqueName(DataSource db) throws SQLException {
      try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
        DATABASES.add(currentDatabase(c));
        assertThat(count(db, "select count(*) from customer")).isEqualTo(2);
        s.execute("insert into customer (name) values ('same-name-in-every-test')");
        s.execute("create table per_test_table (id int)");
      }
    }
  }

  /** Only writes rows: by default its database is reset in place and used again. */
  @PgIsolated(scripts = "db/shop.sql")
  static class OnlyWritesRows {
    @RepeatedTest(6)
    void insertsAndSeesOnlyTheTemplatesRows(DataSource db) throws SQLException {
      DATABASES.add(String.valueOf(count(db, "select oid from pg_database where datname = current_database()")));
      assertThat(count(db, "select count(*) from customer")).isEqualTo(2);
      try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
        s.execute("insert into customer (name) values ('same-name-in-every-test')");
      }
    }
  }

  /** The same tests, asking for a database recreated from the template after each of them. */
  @PgIsolated(scripts = "db/shop.sql", reset = PgIsolated.Reset.RECREATE)
  static class AlwaysRecreated {
    @RepeatedTest(6)
    void insertsAndSeesOnlyTheTemplatesRows(DataSource db) throws SQLException {
      new OnlyWritesRows().insertsAndSeesOnlyTheTemplatesRows(db);
    }
  }

  @PgIsolated(scripts = "db/shop.sql")
  static class Outer {
    @Nested
    class Inner {
      @Test
      void inheritsTheTemplate(DataSource db) throws SQLException {
        SEEN.put("nested.customers", String.valueOf(count(db, "select count(*) from customer")));
      }
    }
  }

  static class OnTheMethodOnly {
    @Test
    @PgIsolated(scripts = "db/shop.sql")
    void getsADatabase(DataSource db) throws SQLException {
      SEEN.put("method.customers", String.valueOf(count(db, "select count(*) from customer")));
    }
  }

  @PgIsolated(scripts = "db/shop.sql")
  static class AsksInBeforeAll {
    @BeforeAll
    static void setUp(DataSource db) {
      SEEN.put("beforeAll", String.valueOf(db));
    }

    @Test
    void neverRuns() {
      SEEN.put("beforeAll.test", "ran");
    }
  }

  @PgIsolated(scripts = "db/does-not-exist.sql")
  static class MissingScript {
    @Test
    void needsADatabase(DataSource db) {
      SEEN.put("missing", String.valueOf(db));
    }
  }

  /** This module's tests run without Flyway on the classpath, as a user who forgot it would. */
  @PgIsolated(flyway = "classpath:db/migration")
  static class FlywayNotOnTheClasspath {
    @Test
    void needsADatabase(DataSource db) {
      SEEN.put("flyway", String.valueOf(db));
    }
  }

  @PgIsolated(scripts = "db/broken.sql")
  static class BrokenScript {
    @Test
    void first(DataSource db) {
      SEEN.put("broken.first", String.valueOf(db));
    }

    @Test
    void second(DataSource db) {
      SEEN.put("broken.second", String.valueOf(db));
    }
  }

  @PgIsolated(scripts = "db/shop.sql")
  static class LeaksAConnection {
    @Test
    void forgetsToClose(DataSource db) throws SQLException {
      Connection leaked = db.getConnection();
      assertThat(leaked.isValid(1)).isTrue();
    }
  }

  @PgIsolated(scripts = "db/shop.sql")
  static class FailsOnPurpose {
    @Test
    void leavesEvidenceAndFails(DataSource db) throws SQLException {
      try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
        s.execute("insert into customer (name) values ('evidence')");
      }
      assertThat(count(db, "select count(*) from customer")).isEqualTo(99);
    }
  }

  @PgIsolated(scripts = "db/shop.sql", readOnly = true)
  static class OnlyReads {
    @RepeatedTest(3)
    void readsAndCannotWrite(DataSource db) throws SQLException {
      DATABASES.add(String.valueOf(count(db, "select oid from pg_database where datname = current_database()")));
      assertThat(count(db, "select count(*) from customer")).isEqualTo(2);
      try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
        s.execute("insert into customer (name) values ('not allowed')");
        SEEN.put("readOnly.wrote", "yes");
      } catch (SQLException expected) {
        SEEN.put("readOnly.refused", expected.getMessage());
      }
    }
  }
}
