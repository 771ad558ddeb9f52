package io.github.pgisolated.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.github.pgisolated.core.internal.engine.PoolEngine;
import io.github.pgisolated.core.process.BlockingFailingInitializer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The pool engine against a real PostgreSQL: templates, clones, leases and their failures. */
class PoolEngineTests {
  private static PgIsolatedPool pool;

  @BeforeAll
  static void startPool() {
    pool = PgIsolatedPool.start(TestPostgres.config(Map.of("pgisolated.pool.initial-size", "2", "pgisolated.coordinator", "none")));
  }

  @AfterAll
  static void closePoolAndDropWhatTheTestsMade() throws SQLException {
    List<String> hashes = new ArrayList<>();
    for (String input : INPUTS) {
      for (String script : new String[] {null, "db/shop.sql", "db/broken.sql", "db/slow-broken.sql"}) {
        TemplateDefinition.Builder b = TemplateDefinition.builder().hashInput(input);
        if (script != null) {
          b.scripts(script);
        }
        hashes.add(hashOf(b.build()));
        hashes.add(hashOf(b.initializer(CountingInitializer.class).build()));
        hashes.add(hashOf(b.initializer(BlockingFailingInitializer.class).build()));
      }
    }
    pool.close();
    TestPostgres.dropDatabasesOf(pool, hashes);
  }

  private static final List<String> INPUTS = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** A template of its own for each test, so tests do not share pools. */
  private static TemplateDefinition.Builder fresh() {
    String input = UUID.randomUUID().toString();
    INPUTS.add(input);
    return TemplateDefinition.builder().hashInput(input);
  }

  /** Counts its runs, to prove a template is built once. */
  public static class CountingInitializer implements TemplateInitializer {
    static final AtomicInteger RUNS = new AtomicInteger();

    @Override
    public void initialize(DataSource template) throws Exception {
      RUNS.incrementAndGet();
      try (Connection c = template.getConnection(); Statement s = c.createStatement()) {
        s.execute("create table built_by_initializer (id int)");
      }
    }
  }

  @Test
  void buildsTheTemplateOnceAndClonesItForEveryLease() throws Exception {
    TemplateDefinition template = fresh().scripts("db/shop.sql").initializer(CountingInitializer.class).build();
    int before = CountingInitializer.RUNS.get();
    ExecutorService threads = Executors.newFixedThreadPool(6);
    try {
      List<Future<String>> names = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        names.add(threads.submit(() -> {
          try (DatabaseLease lease = pool.lease(template);
              Connection c = lease.dataSource().getConnection();
              Statement s = c.createStatement();
              ResultSet rs = s.executeQuery("select count(*) from customer, built_by_initializer")) {
            rs.next();
            return lease.database().databaseName();
          }
        }));
      }
      for (Future<String> name : names) {
        assertThat(name.get()).startsWith("pgisolated_").doesNotEndWith("_tpl");
      }
    } finally {
      threads.shutdownNow();
    }
    assertThat(CountingInitializer.RUNS.get() - before).isEqualTo(1);
  }

  @Test
  void neverHandsTheSameDatabaseToTwoHoldersAtOnce() {
    TemplateDefinition template = fresh().scripts("db/shop.sql").build();
    Set<String> held = ConcurrentHashMap.newKeySet();
    AtomicInteger leases = new AtomicInteger();
    List<String> violations = new ArrayList<>();
    assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
      ExecutorService threads = Executors.newFixedThreadPool(8);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> work = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        work.add(threads.submit(() -> {
          start.await();
          for (int i = 0; i < 15; i++) {
            try (DatabaseLease lease = pool.lease(template)) {
              String name = lease.database().databaseName();
              if (!held.add(name)) {
                synchronized (violations) {
                  violations.add(name);
                }
              }
              leases.incrementAndGet();
              Thread.sleep(2);
              held.remove(name);
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : work) {
        f.get();
      }
      threads.shutdownNow();
    }, "leasing deadlocked");
    assertThat(violations).isEmpty();
    assertThat(leases).hasValue(120);
  }

  @Test
  void aReturnedCloneComesBackCleanRowsDdlAndSequences() throws Exception {
    PgIsolatedConfig one = TestPostgres.config(Map.of("pgisolated.pool.initial-size", "1", "pgisolated.pool.max-size", "1",
        "pgisolated.coordinator", "none"));
    try (PgIsolatedPool single = PgIsolatedPool.start(one)) {
      TemplateDefinition template = fresh().scripts("db/shop.sql").build();
      String first;
      try (DatabaseLease lease = single.lease(template);
          Connection c = lease.dataSource().getConnection();
          Statement s = c.createStatement()) {
        first = lease.database().databaseName();
        s.execute("insert into customer (name) values ('mallory')");
        s.execute("create table scratch (id int)");
        s.execute("select nextval('customer_id_seq') from generate_series(1, 50)");
        s.execute("drop view customer_totals");
      }
      try (DatabaseLease lease = single.lease(template);
          Connection c = lease.dataSource().getConnection();
          Statement s = c.createStatement()) {
        assertThat(lease.database().databaseName()).as("DDL: a new clone, under a free name").isNotEqualTo(first);
        assertThat(queryLong(s, "select count(*) from customer")).isEqualTo(2);
        assertThat(queryLong(s, "select count(*) from pg_tables where tablename = 'scratch'")).isZero();
        assertThat(queryLong(s, "select count(*) from customer_totals")).isEqualTo(2);
        s.execute("insert into customer (name) values ('carol')");
        assertThat(queryLong(s, "select max(id) from customer")).isEqualTo(3);
      }
    }
  }

  @Test
  void aFailingScriptGivesEveryCallerTheScriptsErrorAndLeavesOnlyTheTemplateMarkedFailed() throws Exception {
    TemplateDefinition template = fresh().scripts("db/broken.sql").build();
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      List<Future<DatabaseLease>> attempts = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        attempts.add(threads.submit(() -> pool.lease(template)));
      }
      for (Future<DatabaseLease> attempt : attempts) {
        assertThatThrownBy(attempt::get)
            .cause()
            .isInstanceOf(TemplateBuildException.class)
            .hasMessageContaining("Template script db/broken.sql failed at line 4")
            .hasMessageContaining("create tabel broken (id int);")
            .hasMessageContaining("syntax error");
      }
    } finally {
      threads.shutdownNow();
    }
    String hash = hashOf(template);
    try (Connection admin = TestPostgres.adminConnection(pool);
        PreparedStatement ps = admin.prepareStatement("select datname, datallowconn, datistemplate,"
            + " shobj_description(oid, 'pg_database') from pg_database where datname like 'pgisolated\\_' || ? || '%'")) {
      ps.setString(1, hash);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).as("the failed template of %s is kept", hash).isTrue();
        assertThat(rs.getString(1)).isEqualTo("pgisolated_" + hash + "_tpl");
        assertThat(rs.getBoolean(2)).as("connections allowed").isFalse();
        assertThat(rs.getBoolean(3)).as("flagged a template").isFalse();
        assertThat(rs.getString(4))
            .startsWith("pgisolated:1 template " + hash + " failed at=")
            .contains("\nTemplate script db/broken.sql failed at line 4")
            .contains("create tabel broken (id int);");
        assertThat(rs.next()).as("clones of the failed template").isFalse();
      }
    }
  }

  @Test
  void aFailingScriptReachesAnotherPoolThatWaitedForTheBuildWithItsLineAndMessage() throws Exception {
    TemplateDefinition template = fresh().scripts("db/slow-broken.sql").build();
    String name = "pgisolated_" + hashOf(template) + "_tpl";
    // Two pools that do not coordinate, as two JVMs with pgisolated.coordinator=none would be.
    try (PgIsolatedPool second = PgIsolatedPool.start(TestPostgres.config(Map.of("pgisolated.coordinator", "none")))) {
      CompletableFuture<DatabaseLease> building = CompletableFuture.supplyAsync(() -> pool.lease(template));
      awaitMarker(name, "building");
      // The script sleeps 2 s before it fails: the second pool finds it being built, and waits.
      assertThatThrownBy(() -> second.lease(template))
          .isInstanceOf(TemplateBuildException.class)
          .hasMessageStartingWith("Template " + name + " (scripts=[db/slow-broken.sql], hashInputs=")
          .hasMessageContaining("failed to build in another JVM or pool on ")
          .hasMessageContaining("which this one waited for")
          .hasMessageContaining("Template script db/slow-broken.sql failed at line 4: ERROR: relation \"no_such_table\" does not exist")
          .hasMessageContaining("4 | insert into no_such_table (id) values (1);");
      assertThatThrownBy(building::join).cause().isInstanceOf(TemplateBuildException.class)
          .hasMessageStartingWith("Template script db/slow-broken.sql failed at line 4");
    }
  }

  @Test
  void aFailedBuildRunsOnceForTwoPoolsAndTheNextRunBuildsItAgain() throws Exception {
    TemplateDefinition template = fresh().initializer(BlockingFailingInitializer.class).build();
    String name = "pgisolated_" + hashOf(template) + "_tpl";
    BlockingFailingInitializer.reset();
    Path go = Files.createTempFile("pgisolated-go", "");
    Files.delete(go);
    BlockingFailingInitializer.goFile = go;
    try (PgIsolatedPool second = PgIsolatedPool.start(TestPostgres.config(Map.of("pgisolated.coordinator", "none")))) {
      CompletableFuture<DatabaseLease> building = CompletableFuture.supplyAsync(() -> pool.lease(template));
      awaitMarker(name, "building");
      AtomicReference<Throwable> waited = new AtomicReference<>();
      Thread waiter = new Thread(() -> {
        try {
          second.lease(template).close();
        } catch (Throwable e) {
          waited.set(e);
        }
      }, "second-pool");
      waiter.start();
      awaitPollingForTheClaim(waiter);
      Files.createFile(go);
      waiter.join(60_000);
      assertThat(waited.get())
          .isInstanceOf(TemplateBuildException.class)
          .hasMessageContaining("failed to build in another JVM or pool on ")
          .hasMessageContaining("Template initializer " + BlockingFailingInitializer.class.getName() + " failed: ")
          .hasMessageContaining("syntax error at or near \"tabel\"");
      assertThatThrownBy(building::join).cause().isInstanceOf(TemplateBuildException.class)
          .hasMessageStartingWith("Template initializer " + BlockingFailingInitializer.class.getName() + " failed: ");
      assertThat(BlockingFailingInitializer.RUNS).as("builds across the two pools").hasValue(1);
    } finally {
      Files.deleteIfExists(go);
    }
    // A pool that waited for nobody (the next run) drops the failed template and builds it again.
    BlockingFailingInitializer.goFile = null;
    BlockingFailingInitializer.fail = false;
    try (PgIsolatedPool nextRun = PgIsolatedPool.start(TestPostgres.config(Map.of("pgisolated.coordinator", "none")));
        DatabaseLease lease = nextRun.lease(template);
        Connection c = lease.dataSource().getConnection();
        Statement s = c.createStatement()) {
      assertThat(queryLong(s, "select count(*) from pg_tables where tablename = 'fine'")).isEqualTo(1);
      assertThat(BlockingFailingInitializer.RUNS).as("builds, with the next run's").hasValue(2);
    } finally {
      BlockingFailingInitializer.reset();
    }
  }

  /** Waits until a template's marker has the given state. */
  private static void awaitMarker(String name, String state) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    try (Connection admin = TestPostgres.adminConnection(pool);
        PreparedStatement ps = admin.prepareStatement(
            "select shobj_description(oid, 'pg_database') from pg_database where datname = ?")) {
      ps.setString(1, name);
      while (System.nanoTime() < deadline) {
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next() && rs.getString(1) != null && rs.getString(1).endsWith(" " + state)) {
            return;
          }
        }
        Thread.sleep(10);
      }
    }
    throw new AssertionError(name + " was not marked " + state + " within 30 s");
  }

  /** Waits until a thread sleeps in the template builder's loop: it has seen the claim taken. */
  private static void awaitPollingForTheClaim(Thread thread) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      boolean polling = false;
      for (StackTraceElement frame : thread.getStackTrace()) {
        polling |= frame.getClassName().endsWith(".TemplateBuilder") && frame.getMethodName().equals("sleep");
      }
      if (polling) {
        return;
      }
      Thread.sleep(5);
    }
    throw new AssertionError(thread.getName() + " never waited for the template's claim");
  }

  @Test
  void leaseTimesOutWithThePoolStateAndWhatToRaise() {
    PgIsolatedConfig one = TestPostgres.config(Map.of("pgisolated.pool.initial-size", "1", "pgisolated.pool.max-size", "1",
        "pgisolated.coordinator", "none"));
    try (PgIsolatedPool single = PgIsolatedPool.start(one)) {
      TemplateDefinition template = fresh().build();
      try (DatabaseLease held = single.lease(template)) {
        assertThat(held.database().databaseName()).isNotBlank();
        assertThatThrownBy(() -> single.lease(template, Duration.ofMillis(300)))
            .isInstanceOf(UnableToLeaseDatabaseException.class)
            .hasMessageContaining("Timed out after")
            .hasMessageContaining("ready=0, leased=1, recreating=0, waiting=1, max=1")
            .hasMessageContaining("Raise pgisolated.pool.max-size (now 1)");
      }
    }
  }

  @Test
  void leavesUnmarkedLookAlikeDatabasesUntouched() throws Exception {
    TemplateDefinition template = fresh().build();
    String hash = hashOf(template);
    String lookAlike = "pgisolated_" + hash + "_0001";
    try (Connection admin = TestPostgres.adminConnection(pool); Statement s = admin.createStatement()) {
      s.execute("create database \"" + lookAlike + "\"");
    }
    try (Connection c = DriverManager.getConnection(endpointUrl(lookAlike), user(), password());
        Statement s = c.createStatement()) {
      s.execute("create table precious (id int)");
    }
    PgIsolatedConfig config = TestPostgres.config(Map.of("pgisolated.pool.initial-size", "3", "pgisolated.coordinator", "none"));
    try (PgIsolatedPool other = PgIsolatedPool.start(config)) {
      for (int i = 0; i < 6; i++) {
        try (DatabaseLease lease = other.lease(template)) {
          assertThat(lease.database().databaseName()).isNotEqualTo(lookAlike);
        }
      }
    }
    try (Connection c = DriverManager.getConnection(endpointUrl(lookAlike), user(), password());
        Statement s = c.createStatement()) {
      assertThat(queryLong(s, "select count(*) from pg_tables where tablename = 'precious'")).isEqualTo(1);
    }
    try (Connection admin = TestPostgres.adminConnection(pool); Statement s = admin.createStatement()) {
      s.execute("drop database \"" + lookAlike + "\"");
    }
  }

  @Test
  void refusesToUseAnUnmarkedDatabaseNamedLikeTheTemplate() throws Exception {
    TemplateDefinition template = fresh().build();
    String name = "pgisolated_" + hashOf(template) + "_tpl";
    try (Connection admin = TestPostgres.adminConnection(pool); Statement s = admin.createStatement()) {
      s.execute("create database \"" + name + "\"");
    }
    try {
      assertThatThrownBy(() -> pool.lease(template))
          .isInstanceOf(TemplateBuildException.class)
          .hasMessageContaining(name)
          .hasMessageContaining("is not marked as a pgisolated template")
          .hasMessageContaining("drop or rename it");
    } finally {
      try (Connection admin = TestPostgres.adminConnection(pool); Statement s = admin.createStatement()) {
        assertThat(queryLong(s, "select count(*) from pg_database where datname = '" + name + "'")).isEqualTo(1);
        s.execute("drop database \"" + name + "\"");
      }
    }
  }

  @Test
  void rebuildsATemplateLeftHalfBuilt() throws Exception {
    TemplateDefinition template = fresh().scripts("db/shop.sql").build();
    String hash = hashOf(template);
    String name = "pgisolated_" + hash + "_tpl";
    try (Connection admin = TestPostgres.adminConnection(pool); Statement s = admin.createStatement()) {
      s.execute("create database \"" + name + "\"");
      s.execute("comment on database \"" + name + "\" is 'pgisolated:1 template " + hash + " building'");
    }
    try (DatabaseLease lease = pool.lease(template);
        Connection c = lease.dataSource().getConnection();
        Statement s = c.createStatement()) {
      assertThat(queryLong(s, "select count(*) from customer")).isEqualTo(2);
    }
  }

  @Test
  void twoPoolsOnOneServerNeverShareADatabase() throws Exception {
    TemplateDefinition template = fresh().scripts("db/shop.sql").build();
    // Two pools that do not coordinate, as two JVMs with pgisolated.coordinator=none would be.
    try (PgIsolatedPool second = PgIsolatedPool.start(TestPostgres.config(Map.of("pgisolated.coordinator", "none")))) {
      List<DatabaseLease> leases = new ArrayList<>();
      try {
        for (int i = 0; i < 4; i++) {
          leases.add(pool.lease(template));
          leases.add(second.lease(template));
        }
        assertThat(leases.stream().map(l -> l.database().databaseName()).distinct()).hasSize(8);
      } finally {
        leases.forEach(DatabaseLease::close);
      }
    }
  }

  @Test
  void aSecondPoolOnTheSameServerLeasesThroughTheFirstAsCoordinator(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    Map<String, String> shared = Map.of("pgisolated.coordinator.directory", dir.toString());
    TemplateDefinition template = fresh().scripts("db/shop.sql").build();
    try (PgIsolatedPool first = PgIsolatedPool.start(TestPostgres.config(shared));
        PgIsolatedPool second = PgIsolatedPool.start(TestPostgres.config(shared))) {
      List<DatabaseLease> leases = new ArrayList<>();
      try {
        leases.add(first.lease(template));
        for (int i = 0; i < 3; i++) {
          leases.add(second.lease(template));
          leases.add(first.lease(template));
        }
        assertThat(((PoolEngine) first).isCoordinator()).isTrue();
        assertThat(((PoolEngine) second).isCoordinator()).isFalse();
        assertThat(leases.stream().map(l -> l.database().databaseName()).distinct()).hasSize(7);
        assertThat(((PoolEngine) first).statistics(hashOf(template)).leased()).isEqualTo(7);
      } finally {
        leases.forEach(DatabaseLease::close);
      }
    }
  }

  @Test
  void reportsConnectionsATestLeftOpen() throws Exception {
    TemplateDefinition template = fresh().build();
    DatabaseLease lease = pool.lease(template);
    Connection leakedFromPool = lease.dataSource().getConnection();
    Connection leakedDirectly = DriverManager.getConnection(lease.database().jdbcUrl(), lease.database().user(),
        lease.database().password());
    try (Connection tidy = lease.dataSource().getConnection()) {
      assertThat(tidy.isValid(1)).isTrue();
    }
    DatabaseLease.Release release = lease.release();
    assertThat(release.borrowedFromDataSource()).isEqualTo(1);
    assertThat(release.openedElsewhere()).isEqualTo(1);
    assertThat(lease.release().leakedConnections()).as("second release is a no-op").isZero();
    leakedFromPool.close();
    leakedDirectly.close();
  }

  @Test
  void aTidyTestLeaksNothing() throws Exception {
    try (DatabaseLease lease = pool.lease(fresh().build())) {
      try (Connection c = lease.dataSource().getConnection()) {
        assertThat(c.isValid(1)).isTrue();
      }
      try (Connection c = DriverManager.getConnection(lease.database().jdbcUrl(), lease.database().user(),
          lease.database().password())) {
        assertThat(c.isValid(1)).isTrue();
      }
      assertThat(lease.release().leakedConnections()).isZero();
    }
  }

  private static String hashOf(TemplateDefinition template) {
    return engine().templateHash(template);
  }

  private static long queryLong(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static String endpointUrl(String database) {
    return engine().endpoint().jdbcUrl(database);
  }

  private static String user() {
    return engine().endpoint().user();
  }

  private static PoolEngine engine() {
    return (PoolEngine) pool;
  }

  private static String password() {
    return engine().endpoint().password();
  }
}
