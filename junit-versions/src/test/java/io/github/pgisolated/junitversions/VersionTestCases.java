package io.github.pgisolated.junitversions;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.core.PgDatabase;
import io.github.pgisolated.junit5.PgIsolated;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Fixtures run through EngineTestKit or a console launcher by this module's tests; never run directly. */
public class VersionTestCases {
  static final Map<String, String> SEEN = new ConcurrentHashMap<>();
  static final List<String> DATABASES = new CopyOnWriteArrayList<>();
  static final AtomicInteger RUNNING = new AtomicInteger();
  static final AtomicInteger MOST_AT_ONCE = new AtomicInteger();

  static String currentDatabase(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select current_database()")) {
      rs.next();
      return rs.getString(1);
    }
  }

  static long customers(DataSource db) throws SQLException {
    try (Connection c = db.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select count(*) from customer")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @PgIsolated(scripts = "db/shop.sql")
  public static class ConstructorInjection {
    private final String fromConstructor;

    public ConstructorInjection(PgDatabase database) {
      this.fromConstructor = database.databaseName();
    }

    @Test
    void seesTheConstructorsDatabase(DataSource db) throws SQLException {
      try (Connection c = db.getConnection()) {
        SEEN.put("constructor", fromConstructor);
        SEEN.put("test", currentDatabase(c));
      }
    }
  }

  @PgIsolated(scripts = "db/shop.sql")
  public static class LifecycleMethods {
    @BeforeEach
    void insertInSetup(Connection connection) throws SQLException {
      SEEN.put("beforeEach", currentDatabase(connection));
      try (Statement s = connection.createStatement()) {
        s.execute("insert into customer (name) values ('from-before-each')");
      }
    }

    @Test
    void seesWhatSetupDid(DataSource db) throws SQLException {
      try (Connection c = db.getConnection()) {
        SEEN.put("test", currentDatabase(c));
      }
      assertThat(customers(db)).isEqualTo(3);
    }

    @AfterEach
    void seesTheSameInTeardown(PgDatabase database) {
      SEEN.put("afterEach", database.databaseName());
    }
  }

  @PgIsolated(scripts = "db/shop.sql")
  public static class EveryTestItsOwn {
    @RepeatedTest(6)
    void insertsTheSameUniqueName(DataSource db) throws Exception {
      MOST_AT_ONCE.accumulateAndGet(RUNNING.incrementAndGet(), Math::max);
      try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
        DATABASES.add(currentDatabase(c));
        assertThat(customers(db)).isEqualTo(2);
        s.execute("insert into customer (name) values ('same-name-in-every-test')");
        s.execute("create table per_test_table (id int)");
        Thread.sleep(100);
      } finally {
        RUNNING.decrementAndGet();
      }
    }
  }

  /** Run by a console launcher in a child JVM, as an IDE runs one test class. */
  @PgIsolated(scripts = "db/shop.sql")
  public static class OneClassInAnIde {
    @Test
    void startsFromTheSeed(DataSource db) throws SQLException {
      assertThat(customers(db)).isEqualTo(2);
    }

    @Test
    void writesItsOwn(DataSource db) throws SQLException {
      try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
        s.execute("insert into customer (name) values ('ide')");
      }
      assertThat(customers(db)).isEqualTo(3);
    }
  }

  /**
   * Run by a console launcher in the JVM that stands for a Maven build: takes a database and
   * keeps it (and this JVM, the first, coordinating) until the file it is told about appears.
   */
  @PgIsolated(scripts = "db/shop.sql")
  public static class LongBuild {
    @Test
    void holdsItsDatabaseUntilReleased(PgDatabase db) throws Exception {
      Path release = Path.of(System.getProperty("pgisolatedtest.release-file"));
      System.out.println("LEASED " + db.databaseName());
      System.out.flush();
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (!Files.exists(release) && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(release).exists();
    }
  }
}
