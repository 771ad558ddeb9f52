package io.github.pgisolated.core.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.core.PgIsolatedPool;
import io.github.pgisolated.core.TestPostgres;
import io.github.pgisolated.core.TestRoles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One external server shared by unrelated builds: two CI pipelines on one PostgreSQL, with no
 * shared temporary directory (so two coordinators, each with its own pool), as one role or as two
 * (one of them with CREATEDB and nothing more). The suite's embedded server plays the external
 * server; each build is a real child JVM ({@link LeaseWorker}) with a coordinator directory of its
 * own.
 */
class SharedExternalServerProcessTests {
  private static final Pattern STARTED = Pattern.compile("STARTED coordinator=(true|false)");
  private static final Pattern LEASED = Pattern.compile("LEASED (\\S+)(?: \\S+)?");
  private static final Pattern DONE = Pattern.compile("DONE leases=(\\d+) violations=(\\d+) .*");
  private static final Duration START = Duration.ofSeconds(60);
  /** Each build's pgisolated.pool.max-databases: small, so that the builds press against it. */
  private static final int CAP = 4;

  @TempDir
  Path directory;
  private PgIsolatedPool observer;
  private TestRoles roles;
  private final List<ChildJvm> children = new ArrayList<>();

  @BeforeEach
  void startObserving() {
    observer = PgIsolatedPool.start(TestPostgres.config(Map.of("pgisolated.coordinator", "none")));
    roles = new TestRoles(observer);
  }

  @AfterEach
  void stopTheBuildsAndDropTheRoles() throws Exception {
    for (ChildJvm child : children) {
      child.kill();
    }
    // The builds' warnings, for whoever reads a failure: what a plain role could not do shows here.
    try (var logs = Files.list(directory)) {
      for (Path log : logs.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
        Files.readAllLines(log).stream().filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
            .forEach(l -> System.out.println(log.getFileName() + ": " + l));
      }
    }
    try {
      roles.close();
    } finally {
      observer.close();
    }
  }

  /** One build: its own coordinator directory (no /tmp shared with the other build), its role. */
  private Map<String, String> build(String name, Map<String, String> server) {
    Map<String, String> config = new HashMap<>(server);
    config.put("pgisolated.coordinator.directory", directory.resolve("coordinator-" + name).toString());
    config.put("pgisolated.pool.initial-size", "2");
    config.put("pgisolated.pool.max-size", String.valueOf(CAP));
    config.put("pgisolated.pool.max-databases", String.valueOf(CAP));
    config.put("pgisolated.lease-timeout", "60s");
    config.put("org.slf4j.simpleLogger.defaultLogLevel", "info");
    // What the collector left alone, and why.
    config.put("org.slf4j.simpleLogger.log.io.github.pgisolated.core.internal.template.TemplateCollector", "debug");
    return config;
  }

  private ChildJvm start(String name, Map<String, String> config, String hashInput, int leases) throws Exception {
    ChildJvm child = ChildJvm.start(name, LeaseWorker.class, config, log(name), hashInput, String.valueOf(leases),
        "15", "2");
    children.add(child);
    return child;
  }

  /** Whether the build was elected its own coordinator; with its log when it did not start. */
  private String started(ChildJvm build, String name) throws Exception {
    try {
      return build.await(STARTED, START).group(1);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\n" + name + "'s log:\n" + String.join("\n", Files.readAllLines(log(name))),
          e);
    }
  }

  private Path log(String name) {
    return directory.resolve(name + ".log");
  }

  @Test
  void twoBuildsOfOneCreatedbRoleBuildTheTemplateOnceAndNoDatabaseIsInTwoTestsAtOnce() throws Exception {
    String role = roles.create("pgis_ci", "createdb");
    String hashInput = "shared-" + UUID.randomUUID();
    Path go = directory.resolve("go");
    List<ChildJvm> builds = new ArrayList<>();
    for (String name : List.of("pipeline-a", "pipeline-b")) {
      Map<String, String> config = build(name, roles.externalConfig(role));
      config.put("worker.start-after", go.toString());
      builds.add(start(name, config, hashInput, 30));
    }
    for (int i = 0; i < builds.size(); i++) {
      assertThat(started(builds.get(i), List.of("pipeline-a", "pipeline-b").get(i))).as("%s coordinates its own pool",
          builds.get(i)).isEqualTo("true");
    }
    try (CloneCounter counter = new CloneCounter()) {
      Files.createFile(go);
      for (ChildJvm build : builds) {
        assertDone(build, 30);
      }
      Set<String> hashes = hashesLeased(builds.get(0));
      hashes.addAll(hashesLeased(builds.get(1)));
      assertThat(hashes).as("one template for both builds: same definition, same role").hasSize(1);
      assertThat(counter.most(hashes.iterator().next())).as("clones at once, two builds of %d at most each", CAP)
          .isBetween(1, 2 * CAP);
    }
    assertThat(linesContaining("Built template", "pipeline-a", "pipeline-b")).as("template builds").hasSize(1);
  }

  @Test
  void buildsOfACreatedbRoleAndOfASuperuserHaveTemplatesOfTheirOwnAndEachStaysWithinItsCap() throws Exception {
    String role = roles.create("pgis_ci", "createdb");
    String hashInput = "shared-" + UUID.randomUUID();
    Path go = directory.resolve("go");
    Map<String, String> plain = build("plain", roles.externalConfig(role));
    plain.put("worker.start-after", go.toString());
    Map<String, String> superuser = build("superuser", roles.superuserExternalConfig());
    superuser.put("worker.start-after", go.toString());
    ChildJvm plainBuild = start("plain", plain, hashInput, 30);
    ChildJvm superuserBuild = start("superuser", superuser, hashInput, 30);
    assertThat(started(plainBuild, "plain")).isEqualTo("true");
    assertThat(started(superuserBuild, "superuser")).isEqualTo("true");
    String plainHash;
    String superuserHash;
    try (CloneCounter counter = new CloneCounter()) {
      Files.createFile(go);
      assertDone(plainBuild, 30);
      assertDone(superuserBuild, 30);
      plainHash = only(hashesLeased(plainBuild));
      superuserHash = only(hashesLeased(superuserBuild));
      assertThat(plainHash).as("a plain role's template is its own (the superuser's tables it could not use)")
          .isNotEqualTo(superuserHash);
      // pgisolated.pool.max-databases is each coordinator's: each build stays within its own.
      assertThat(counter.most(plainHash)).as("the plain role's clones at once").isBetween(1, CAP);
      assertThat(counter.most(superuserHash)).as("the superuser's clones at once").isBetween(1, CAP);
    }
    assertThat(linesContaining("Built template", "plain", "superuser")).as("template builds").hasSize(2);
    try {
      // The plain role's next run collects with keep=1: the superuser's template (same lineage,
      // older) would go, but it is not the plain role's to drop.
      Map<String, String> next = build("plain-next", roles.externalConfig(role));
      next.put("pgisolated.template.keep", "1");
      ChildJvm nextBuild = start("plain-next", next, hashInput, 2);
      assertDone(nextBuild, 2);
      awaitLine("plain-next", ".*Not collecting \\d+ old template\\(s\\) owned by other roles .*pgisolated_"
          + superuserHash + "_tpl.*");
      assertThat(exists("pgisolated_" + superuserHash + "_tpl")).as("the superuser's template").isTrue();
    } finally {
      TestPostgres.dropDatabasesOf(observer, List.of(superuserHash));
    }
  }

  @Test
  void aCollectorNeverDropsWhatAnotherBuildHoldsAndDropsItOnceThatBuildIsGone() throws Exception {
    String role = roles.create("pgis_ci", "createdb");
    String lineage = "shared-" + UUID.randomUUID();
    ChildJvm holding = start("holding", build("holding", roles.externalConfig(role)), lineage + "-v1", -1);
    assertThat(started(holding, "holding")).isEqualTo("true");
    String held = holding.await(LEASED, START).group(1);
    String heldTemplate = held.substring(0, held.lastIndexOf('_')) + "_tpl";
    long heldOid = oidOf(held);

    // Another build, a newer version of the same template (same lineage), keeping only the newest.
    Map<String, String> newer = build("newer", roles.externalConfig(role));
    newer.put("pgisolated.template.keep", "1");
    ChildJvm newerBuild = start("newer", newer, lineage + "-v2", 5);
    assertDone(newerBuild, 5);
    awaitLine("newer", ".*Not collecting " + heldTemplate + ": \\S+ is claimed \\(in use\\).*");
    assertThat(oidOf(held)).as("%s, which the holding build still holds", held).isEqualTo(heldOid);
    assertThat(holderRows(role, held)).as("the holding build's row in %s", held).isEqualTo(1);
    assertThat(exists(heldTemplate)).as("the holding build's template").isTrue();

    // Once the holding build is gone (killed: its claims die with its sessions), the next
    // collection drops its template and clones.
    holding.kill();
    ChildJvm nextBuild = start("next", newer, lineage + "-v2", 2);
    assertDone(nextBuild, 2);
    awaitLine("next", ".*Dropped \\d+ old template\\(s\\).*" + heldTemplate + ".*");
    assertThat(exists(heldTemplate)).as("the gone build's template").isFalse();
    assertThat(oidOf(held)).as("the gone build's clone").isZero();
  }

  private static void assertDone(ChildJvm build, int leases) throws InterruptedException {
    Matcher done = build.await(DONE, Duration.ofSeconds(120));
    assertThat(done.group(1)).as("leases in %s", build).isEqualTo(String.valueOf(leases));
    assertThat(done.group(2)).as("violations in %s (a database in two tests at once): %s", build, build.output())
        .isEqualTo("0");
    assertThat(build.waitFor(Duration.ofSeconds(30))).as("%s exit code", build).isZero();
  }

  private static Set<String> hashesLeased(ChildJvm build) {
    Set<String> hashes = new TreeSet<>();
    for (String line : build.output()) {
      Matcher m = LEASED.matcher(line);
      if (m.matches()) {
        hashes.add(m.group(1).replaceAll("^pgisolated_([0-9a-f]{16})_\\d{4}$", "$1"));
      }
    }
    return hashes;
  }

  private static String only(Set<String> hashes) {
    assertThat(hashes).as("templates a build leased from").hasSize(1);
    return hashes.iterator().next();
  }

  private List<String> linesContaining(String text, String... builds) throws Exception {
    List<String> lines = new ArrayList<>();
    for (String build : builds) {
      Files.readAllLines(log(build)).stream().filter(l -> l.contains(text)).forEach(lines::add);
    }
    return lines;
  }

  /** Waits for a line matching the regex in a build's log (the collector runs in the background). */
  private void awaitLine(String build, String regex) throws Exception {
    Pattern pattern = Pattern.compile(regex);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.readAllLines(log(build)).stream().anyMatch(l -> pattern.matcher(l).matches())) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no line matching " + regex + " in " + build + "'s log:\n"
        + String.join("\n", Files.readAllLines(log(build))));
  }

  private boolean exists(String database) throws SQLException {
    return oidOf(database) != 0;
  }

  /** The database's OID, 0 when there is none: a recreated database has a new one. */
  private long oidOf(String database) throws SQLException {
    try (Connection c = roles.superuser(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select coalesce(max(oid::bigint), 0) from pg_database where datname = '"
            + database + "'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private long holderRows(String role, String database) throws SQLException {
    try (Connection c = roles.as(role, database); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select count(*) from holder")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Samples, every 20 ms while the builds run, how many clones of each template exist: the most
   * seen at once is what the cap bounds.
   */
  private final class CloneCounter implements AutoCloseable {
    private final Map<String, Integer> most = new ConcurrentHashMap<>();
    private final Thread sampler;
    private volatile boolean stop;
    private volatile SQLException failure;

    CloneCounter() throws SQLException {
      Connection c = roles.superuser();
      sampler = new Thread(() -> {
        try (c; Statement s = c.createStatement()) {
          while (!stop) {
            try (ResultSet rs = s.executeQuery("select substr(datname, 12, 16), count(*) from pg_database"
                + " where datname ~ '^pgisolated_[0-9a-f]{16}_[0-9]{4}$' group by 1")) {
              while (rs.next()) {
                most.merge(rs.getString(1), rs.getInt(2), Math::max);
              }
            }
            Thread.sleep(20);
          }
        } catch (SQLException e) {
          failure = e;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "clone-counter");
      sampler.setDaemon(true);
      sampler.start();
    }

    int most(String hash) throws SQLException {
      if (failure != null) {
        throw failure;
      }
      return most.getOrDefault(hash, 0);
    }

    @Override
    public void close() {
      stop = true;
      try {
        sampler.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
