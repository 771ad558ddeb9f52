package io.github.pgisolated.core.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.core.DatabaseLease;
import io.github.pgisolated.core.PgIsolatedPool;
import io.github.pgisolated.core.TemplateDefinition;
import io.github.pgisolated.core.TestPostgres;
import io.github.pgisolated.core.internal.engine.PoolEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared pool across real JVMs: one coordinator elected among them, one template build, one
 * pool, no database in two tests at once, and takeover when the coordinator dies (SIGKILL) or
 * exits. Every JVM uses the embedded server the suite uses, and a coordinator directory of its
 * own test, so that the test JVM's other pools are not involved.
 */
class SharedPoolProcessTests {
  private static final Pattern STARTED = Pattern.compile("STARTED coordinator=(true|false)");
  private static final Pattern LEASED = Pattern.compile("LEASED (\\S+)(?: \\S+)?");
  private static final Pattern DONE = Pattern.compile("DONE leases=(\\d+) violations=(\\d+) p50_ms=(\\S+) p99_ms=(\\S+) max_ms=(\\S+)");
  private static final Duration START = Duration.ofSeconds(60);

  @TempDir
  Path directory;
  private String hashInput;
  private final List<ChildJvm> children = new ArrayList<>();

  /** A pool of the test JVM's own (no coordinator), to look into the server. */
  private PgIsolatedPool observer;

  @BeforeEach
  void freshTemplate() {
    hashInput = "process-" + UUID.randomUUID();
    observer = PgIsolatedPool.start(TestPostgres.config(Map.of("pgisolated.coordinator", "none")));
  }

  @AfterEach
  void killChildrenAndDropTheTemplate() throws Exception {
    for (ChildJvm child : children) {
      child.close();
    }
    try {
      TestPostgres.dropDatabasesOf(observer, List.of(((PoolEngine) observer).templateHash(template())));
    } finally {
      observer.close();
    }
  }

  private TemplateDefinition template() {
    return TemplateDefinition.builder().scripts("db/ledger.sql").hashInput(hashInput).build();
  }

  private Map<String, String> childConfig() {
    Map<String, String> config = new HashMap<>();
    config.put("pgisolated.coordinator.directory", directory.resolve("coordinator").toString());
    config.put("pgisolated.pool.initial-size", "2");
    config.put("pgisolated.pool.max-size", "6");
    config.put("pgisolated.lease-timeout", "60s");
    config.put("org.slf4j.simpleLogger.defaultLogLevel", "info");
    return config;
  }

  private ChildJvm worker(String name, int leases, long holdMillis, int threads) throws Exception {
    ChildJvm child = ChildJvm.start(name, LeaseWorker.class, childConfig(), directory.resolve(name + ".log"), hashInput,
        String.valueOf(leases), String.valueOf(holdMillis), String.valueOf(threads));
    children.add(child);
    return child;
  }

  private static int leasedLines(ChildJvm child) {
    return (int) child.output().stream().filter(l -> LEASED.matcher(l).matches()).count();
  }

  private static Set<String> leasedDatabases(ChildJvm child) {
    Set<String> names = new HashSet<>();
    for (String line : child.output()) {
      Matcher m = LEASED.matcher(line);
      if (m.matches()) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  private static Matcher done(ChildJvm child) throws InterruptedException {
    Matcher done = child.await(DONE, Duration.ofSeconds(120));
    assertThat(child.waitFor(Duration.ofSeconds(30))).as("%s exit code", child).isZero();
    return done;
  }

  @Test
  void threeJvmsShareOneTemplateAndOnePoolAndNoDatabaseIsInTwoTestsAtOnce() throws Exception {
    Path go = directory.resolve("go");
    Map<String, String> config = childConfig();
    config.put("worker.start-after", go.toString());
    List<ChildJvm> jvms = new ArrayList<>();
    for (String name : List.of("a", "b", "c")) {
      ChildJvm jvm = ChildJvm.start(name, LeaseWorker.class, config, directory.resolve(name + ".log"), hashInput, "40", "15", "2");
      children.add(jvm);
      jvms.add(jvm);
    }
    int coordinators = 0;
    for (ChildJvm jvm : jvms) {
      coordinators += Boolean.parseBoolean(jvm.await(STARTED, START).group(1)) ? 1 : 0;
    }
    Files.createFile(go);
    Set<String> databases = new HashSet<>();
    for (ChildJvm jvm : jvms) {
      Matcher done = done(jvm);
      assertThat(done.group(1)).isEqualTo("40");
      assertThat(done.group(2)).as("violations in %s: %s", jvm, jvm.output()).isEqualTo("0");
      databases.addAll(leasedDatabases(jvm));
    }
    assertThat(coordinators).as("JVMs that were elected coordinator").isEqualTo(1);
    // One pool served all three JVMs: clones of the one template, named by the one coordinator
    // (at most max-size at once; a clone recreated after a test may come back under a new name).
    assertThat(databases).as("databases used; the JVMs' warnings: %s", problems())
        .allMatch(name -> name.matches("pgisolated_[0-9a-f]{16}_\\d{4}"))
        .extracting(name -> name.substring(0, name.lastIndexOf('_'))).containsOnly(databases.iterator().next()
            .substring(0, databases.iterator().next().lastIndexOf('_')));
    long builds = 0;
    for (String name : List.of("a", "b", "c")) {
      builds += Files.readAllLines(directory.resolve(name + ".log")).stream().filter(l -> l.contains("Built template")).count();
    }
    assertThat(builds).as("template builds across the three JVMs").isEqualTo(1);
  }

  @Test
  void killingTheCoordinatorFailsNoLeaseInTheOtherJvms() throws Exception {
    Holding holding = coordinatorHoldingALease("coordinator");
    ChildJvm coordinator = holding.jvm();
    String heldByCoordinator = holding.database();
    long heldOid = oidOf(heldByCoordinator);
    ChildJvm b = worker("b", 120, 20, 2);
    ChildJvm c = worker("c", 120, 20, 2);
    assertThat(b.await(STARTED, START).group(1)).isEqualTo("false");
    assertThat(c.await(STARTED, START).group(1)).isEqualTo("false");
    awaitLeases(5, b, c);
    coordinator.kill();
    // The dead coordinator's own lease had no holder left: it is recreated (a new database under
    // the same name), not lost. Watched from the maintenance database, so that the check itself
    // puts no session on it (a clone with sessions is left alone for a while).
    long deadline2 = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (oidOf(heldByCoordinator) == heldOid && System.nanoTime() < deadline2) {
      Thread.sleep(50);
    }
    assertThat(oidOf(heldByCoordinator)).as("%s recreated after its holder was killed", heldByCoordinator)
        .isNotEqualTo(heldOid);
    for (ChildJvm survivor : List.of(b, c)) {
      Matcher done = done(survivor);
      assertThat(done.group(1)).as("leases in %s: %s; warnings: %s", survivor,
          survivor.output().stream().filter(l -> l.startsWith("VIOLATION")).toList(), problems()).isEqualTo("120");
      assertThat(done.group(2)).as("violations in %s: %s", survivor, survivor.output()).isEqualTo("0");
      System.out.println("takeover: slowest lease in " + survivor + " took " + done.group(5) + " ms (p50 "
          + done.group(3) + " ms)");
    }
  }

  @Test
  void aClientKilledMidLeaseHasItsDatabaseReplaced() throws Exception {
    Map<String, String> config = new HashMap<>(childConfig());
    config.remove("org.slf4j.simpleLogger.defaultLogLevel");
    try (PgIsolatedPool pool = PgIsolatedPool.start(TestPostgres.config(config))) {
      try (DatabaseLease warmUp = pool.lease(template())) {
        assertThat(warmUp.database().databaseName()).startsWith("pgisolated_");
        assertThat(((PoolEngine) pool).isCoordinator()).isTrue();
      }
      ChildJvm client = worker("client", -1, 0, 1);
      assertThat(client.await(STARTED, START).group(1)).isEqualTo("false");
      String held = client.await(LEASED, START).group(1);
      assertThat(holderRows(held)).isEqualTo(1);
      // Its OID while the client holds it: the pool may drop it before a later look.
      long heldOid = oidOf(held);
      client.kill();
      assertEventuallyFresh(held, heldOid);
      String hash = ((PoolEngine) pool).templateHash(template());
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (((PoolEngine) pool).statistics(hash).leased() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(((PoolEngine) pool).statistics(hash).leased()).isZero();
    }
  }

  @Test
  void aCoordinatorThatFinishesHandsOverToTheJvmsStillRunning() throws Exception {
    Path closeSignal = directory.resolve("first-may-close");
    Map<String, String> config = childConfig();
    config.put("worker.close-after", closeSignal.toString());
    ChildJvm first = ChildJvm.start("first", LeaseWorker.class, config, directory.resolve("first.log"), hashInput,
        "5", "10", "1");
    children.add(first);
    assertThat(first.await(STARTED, START).group(1)).isEqualTo("true");
    ChildJvm second = worker("second", 80, 25, 2);
    assertThat(second.await(STARTED, START).group(1)).isEqualTo("false");
    long deadline = System.nanoTime() + START.toNanos();
    while (leasedLines(second) < 5 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    Files.createFile(closeSignal);
    done(first);
    Matcher done = done(second);
    assertThat(done.group(1)).isEqualTo("80");
    assertThat(done.group(2)).as("violations: %s", second.output()).isEqualTo("0");
    assertThat(Files.readString(directory.resolve("second.log"))).contains("This JVM coordinates");
    System.out.println("graceful handover: slowest lease in " + second + " took " + done.group(5) + " ms");
  }

  @Test
  void aCoordinatorWhoseDirectoryIsRemovedCreatesItAgainAndKeepsEveryLease() throws Exception {
    String held = coordinatorHoldingALease("coordinator").database();
    long heldOid = oidOf(held);
    ChildJvm b = worker("b", 120, 20, 2);
    assertThat(b.await(STARTED, START).group(1)).isEqualTo("false");
    awaitLeases(5, b);
    // What a temporary-file cleaner does: everything under the base, lock and socket included.
    Path base = directory.resolve("coordinator");
    deleteRecursively(base);
    awaitSocketIn(base);
    ChildJvm c = worker("c", 40, 10, 2);
    assertThat(c.await(STARTED, START).group(1)).as("a JVM started after the directory came back is not elected")
        .isEqualTo("false");
    for (ChildJvm jvm : List.of(b, c)) {
      Matcher done = done(jvm);
      assertThat(done.group(2)).as("violations in %s: %s; warnings: %s", jvm, jvm.output(), problems()).isEqualTo("0");
    }
    assertThat(Files.readString(directory.resolve("coordinator.log"))).contains("were created again");
    assertThat(Files.readString(directory.resolve("b.log"))).as("b, running while the directory was gone, "
        + "waited for the coordinator instead of being elected").doesNotContain("This JVM coordinates");
    assertThat(oidOf(held)).as("the coordinator's own lease, %s", held).isEqualTo(heldOid);
    assertThat(holderRows(held)).isEqualTo(1);
  }

  @Test
  void aCoordinatorThatFindsAnotherElectedInItsRecreatedDirectoryStepsDownAndNoLeaseIsLost() throws Exception {
    Holding holding = coordinatorHoldingALease("a");
    ChildJvm a = holding.jvm();
    String heldByA = holding.database();
    ChildJvm b = worker("b", -1, 0, 1);
    assertThat(b.await(STARTED, START).group(1)).isEqualTo("false");
    String heldByB = b.await(LEASED, START).group(1);
    long oidA = oidOf(heldByA);
    long oidB = oidOf(heldByB);
    // The coordinator is frozen while the directory is removed and a new JVM comes: the new one
    // creates the directory and is elected before the old one can take it again.
    signal("STOP", a);
    try {
      deleteRecursively(directory.resolve("coordinator"));
      Map<String, String> config = childConfig();
      Path cMayClose = directory.resolve("c-may-close");
      config.put("worker.close-after", cMayClose.toString());
      ChildJvm c = ChildJvm.start("c", LeaseWorker.class, config, directory.resolve("c.log"), hashInput, "60", "10", "2");
      children.add(c);
      assertThat(c.await(STARTED, START).group(1)).isEqualTo("true");
      signal("CONT", a);
      Matcher done = c.await(DONE, Duration.ofSeconds(120));
      assertThat(done.group(2)).as("violations in c: %s; warnings: %s", c.output(), problems()).isEqualTo("0");
      assertThat(leasedDatabases(c)).as("databases c leased").doesNotContain(heldByA, heldByB);
      awaitReclaimed(List.of(heldByA, heldByB));
      Files.createFile(cMayClose);
      assertThat(c.waitFor(Duration.ofSeconds(30))).isZero();
      long stepDown = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (!Files.readString(directory.resolve("a.log")).contains("stops coordinating") && System.nanoTime() < stepDown) {
        Thread.sleep(50);
      }
      assertThat(Files.readString(directory.resolve("a.log"))).as("a's log").contains("stops coordinating");
    } finally {
      signal("CONT", a);
    }
    // Both leases survived, re-claimed from the new coordinator: same databases, same holder rows.
    assertThat(oidOf(heldByA)).isEqualTo(oidA);
    assertThat(oidOf(heldByB)).isEqualTo(oidB);
    assertThat(holderRows(heldByA)).isEqualTo(1);
    assertThat(holderRows(heldByB)).isEqualTo(1);
  }

  /** A worker JVM that was elected coordinator, and the database it holds until it is killed. */
  private record Holding(ChildJvm jvm, String database) {}

  private Holding coordinatorHoldingALease(String name) throws Exception {
    ChildJvm jvm = worker(name, -1, 0, 1);
    assertThat(jvm.await(STARTED, START).group(1)).as("%s elected coordinator", name).isEqualTo("true");
    return new Holding(jvm, jvm.await(LEASED, START).group(1));
  }

  /** Waits until each of the JVMs has leased at least {@code leases} times. */
  private static void awaitLeases(int leases, ChildJvm... jvms) throws InterruptedException {
    long deadline = System.nanoTime() + START.toNanos();
    while (java.util.Arrays.stream(jvms).anyMatch(j -> leasedLines(j) < leases) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  /** Waits for the new coordinator (c) to log that it handed each of them back to its holder. */
  private void awaitReclaimed(List<String> databases) throws Exception {
    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < until) {
      String log = Files.readString(directory.resolve("c.log"));
      if (databases.stream().allMatch(d -> log.contains("re-claimed " + d))) {
        return;
      }
      Thread.sleep(50);
    }
    StringBuilder logs = new StringBuilder();
    for (String name : List.of("a", "b", "c")) {
      List<String> lines = Files.readAllLines(directory.resolve(name + ".log"));
      logs.append("\n--- ").append(name).append(".log (last 40 lines):\n")
          .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
    }
    throw new AssertionError("the new coordinator did not re-claim " + databases + " for their holders within 20 s"
        + logs);
  }

  private static void signal(String signal, ChildJvm jvm) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(jvm.pid())).inheritIO().start();
    assertThat(kill.waitFor()).as("kill -%s %s", signal, jvm).isZero();
  }

  private static void deleteRecursively(Path root) throws java.io.IOException {
    try (var paths = Files.walk(root)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  /** Waits until a socket file exists under the base again (the coordinator's guard made it). */
  private static void awaitSocketIn(Path base) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.isDirectory(base)) {
        try (var paths = Files.walk(base)) {
          if (paths.anyMatch(p -> p.getFileName().toString().equals("socket"))) {
            return;
          }
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no coordinator socket under " + base + " within 10 s of its removal");
  }

  /** WARN and ERROR lines of every child's log, for failure messages. */
  private List<String> problems() throws java.io.IOException {
    List<String> lines = new ArrayList<>();
    try (var logs = Files.list(directory)) {
      for (Path log : logs.filter(p -> p.toString().endsWith(".log")).toList()) {
        for (String line : Files.readAllLines(log)) {
          if (line.contains(" WARN ") || line.contains(" ERROR ") || line.startsWith("Caused by")
              || line.contains("to recreate:") || line.contains("clones made:")) {
            lines.add(log.getFileName() + ": " + line);
          }
        }
      }
    }
    return lines;
  }

  /**
   * The killed client's database is never handed out as it is: it is dropped (the pool replaces it
   * with a new clone under a free name), or recreated under its name (a new OID, no holder rows).
   */
  private void assertEventuallyFresh(String database, long before) throws Exception {
    assertThat(before).as("OID of %s while it was held", database).isNotZero();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    long oid = before;
    while (System.nanoTime() < deadline) {
      oid = oidOf(database);
      if (oid != before) {
        assertThat(oid == 0 || holderRows(database) == 0).as("recreated under its name, empty").isTrue();
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError(database + " was neither dropped nor recreated within 20 s (OID " + oid + ")");
  }

  /** The database's OID (0 while it is dropped): a recreated database has a new one. */
  private long oidOf(String database) throws SQLException {
    var endpoint = ((PoolEngine) observer).endpoint();
    try (Connection c = DriverManager.getConnection(endpoint.jdbcUrl("postgres"), endpoint.user(), endpoint.password());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select coalesce(max(oid::bigint), 0) from pg_database where datname = '" + database + "'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private long holderRows(String database) throws SQLException {
    var endpoint = ((PoolEngine) observer).endpoint();
    try (Connection c = DriverManager.getConnection(endpoint.jdbcUrl(database), endpoint.user(), endpoint.password());
        Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select count(*) from holder")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
