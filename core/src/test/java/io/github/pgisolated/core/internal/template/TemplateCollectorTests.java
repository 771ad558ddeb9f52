package io.github.pgisolated.core.internal.template;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.core.DatabaseLease;
import io.github.pgisolated.core.PgIsolatedPool;
import io.github.pgisolated.core.TemplateDefinition;
import io.github.pgisolated.core.TestPostgres;
import io.github.pgisolated.core.internal.db.DataSources;
import io.github.pgisolated.core.internal.db.DatabaseClaims;
import io.github.pgisolated.core.internal.db.DatabaseNames;
import io.github.pgisolated.core.internal.db.Sql;
import io.github.pgisolated.core.internal.engine.PoolEngine;
import io.github.pgisolated.core.internal.server.ServerEndpoint;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The collection of old templates against a real PostgreSQL: what is kept, what is dropped, and
 * that nothing in use and nothing unmarked is ever dropped. Each test makes templates of lineages
 * of its own (script names with a random part), served by class loaders of its own.
 */
class TemplateCollectorTests {
  private static final Duration WEEK = Duration.ofDays(7);

  /** A pool that never leases: its admin session looks into the server. */
  private PgIsolatedPool observer;
  private final List<String> hashes = new ArrayList<>();
  private final List<String> lookAlikes = new ArrayList<>();

  @BeforeEach
  void startObserver() {
    observer = PgIsolatedPool.start(TestPostgres.config(Map.of("pgisolated.coordinator", "none")));
  }

  @AfterEach
  void dropWhatTheTestMade() throws SQLException {
    try (Connection admin = TestPostgres.adminConnection(observer); Statement s = admin.createStatement()) {
      for (String name : lookAlikes) {
        s.execute("drop database if exists \"" + name + "\" with (force)");
      }
      TestPostgres.dropDatabasesOf(observer, hashes);
    } finally {
      observer.close();
    }
  }

  /** Versions of one template: the same script name, different contents. */
  private List<TemplateDefinition> versions(String scriptName, int count) {
    List<TemplateDefinition> versions = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      TemplateDefinition version = TemplateDefinition.builder().scripts(scriptName)
          .classLoader(serving(scriptName, "create table version_" + i + " (id int);")).build();
      hashes.add(engine().templateHash(version));
      versions.add(version);
    }
    return versions;
  }

  private static ClassLoader serving(String resource, String content) {
    return new ClassLoader(TemplateCollectorTests.class.getClassLoader()) {
      @Override
      public InputStream getResourceAsStream(String name) {
        return name.equals(resource) ? new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8))
            : super.getResourceAsStream(name);
      }
    };
  }

  /** Builds each template and two clones of it, in a pool that is then closed (nobody uses them). */
  private void build(List<TemplateDefinition> templates) {
    Map<String, String> settings = Map.of("pgisolated.coordinator", "none", "pgisolated.pool.initial-size", "2",
        "pgisolated.template.keep", "1000", "pgisolated.template.max-age", "0");
    try (PgIsolatedPool builder = PgIsolatedPool.start(TestPostgres.config(settings))) {
      for (TemplateDefinition template : templates) {
        try (DatabaseLease first = builder.lease(template); DatabaseLease second = builder.lease(template)) {
          assertThat(first.database().databaseName()).isNotEqualTo(second.database().databaseName());
        }
      }
    }
  }

  /** Pretends a template was last used some time ago. */
  private void lastUsed(TemplateDefinition template, Duration ago) throws SQLException {
    String hash = engine().templateHash(template);
    engine().admin().comment(DatabaseNames.template(hash),
        DatabaseNames.readyMarker(hash, TemplateLineage.of(template), Instant.now().minus(ago)));
  }

  private TemplateCollector collector(int keep, Duration maxAge) {
    ServerEndpoint endpoint = engine().endpoint();
    Supplier<Connection> sessions = () -> {
      try {
        return DataSources.connect(endpoint, endpoint.maintenanceDatabase());
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    };
    return new TemplateCollector(engine().admin(), sessions, keep, maxAge, Clock.systemUTC());
  }

  private TemplateCollector.Collected collectAfter(TemplateDefinition current, int keep, Duration maxAge)
      throws SQLException {
    try (TemplateCollector collector = collector(keep, maxAge)) {
      TemplateCollector.Collected collected = collector.collect(engine().templateHash(current),
          TemplateLineage.of(current));
      System.out.println("collection: " + collected.databases().size() + " databases, "
          + collected.bytesFreed() / (1 << 20) + " MB in " + collected.millis() + " ms");
      return collected;
    }
  }

  @Test
  void keepsTheNewestThreeOfALineageAndDropsTheOlderOnesWithTheirClones() throws Exception {
    List<TemplateDefinition> v = versions("gc/" + UUID.randomUUID() + "/schema.sql", 5);
    build(v);
    List<List<String>> before = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      lastUsed(v.get(i), Duration.ofHours(10 - i)); // v0 used longest ago
      before.add(names(v.get(i)));
    }

    TemplateCollector.Collected collected = collectAfter(v.get(4), 3, WEEK);

    assertThat(databasesOf(v.get(0))).isEmpty();
    assertThat(databasesOf(v.get(1))).isEmpty();
    for (int i = 2; i < 5; i++) {
      assertThat(databasesOf(v.get(i))).as("databases of kept version %s", i).isEqualTo(before.get(i));
    }
    assertThat(collected.databases()).containsExactlyInAnyOrderElementsOf(concat(before.get(0), before.get(1)));
    assertThat(collected.bytesFreed()).as("bytes freed").isGreaterThan(before.get(0).size() * 2 * 7_000_000L);
  }

  @Test
  void neverDropsTheCurrentTemplateEvenWhenOthersWereUsedMoreRecently() throws Exception {
    List<TemplateDefinition> v = versions("gc/" + UUID.randomUUID() + "/schema.sql", 3);
    build(v);
    lastUsed(v.get(0), Duration.ofHours(3));
    lastUsed(v.get(1), Duration.ofHours(1));
    lastUsed(v.get(2), Duration.ofHours(2));

    List<String> current = names(v.get(0));
    List<String> newest = names(v.get(1));

    collectAfter(v.get(0), 1, WEEK);

    assertThat(databasesOf(v.get(0))).as("the current template").isEqualTo(current);
    assertThat(databasesOf(v.get(1))).as("the newest").isEqualTo(newest);
    assertThat(databasesOf(v.get(2))).isEmpty();
  }

  @Test
  void neverDropsATemplateInUseOrHeldNorAnUnmarkedLookAlike() throws Exception {
    List<TemplateDefinition> v = versions("gc/" + UUID.randomUUID() + "/schema.sql", 6);
    build(v);
    for (int i = 0; i < 6; i++) {
      lastUsed(v.get(i), Duration.ofDays(30 - i)); // all of them older than the maximum age, too
    }
    String lineage = TemplateLineage.of(v.get(0));
    // Unmarked, or marked for another hash than its name's: not pgisolated's.
    String unmarkedTemplate = lookAlike("pgisolated_" + randomHash() + "_tpl", null);
    String unmarkedClone = lookAlike("pgisolated_" + randomHash() + "_0001", null);
    String otherHash = randomHash();
    String mismatched = lookAlike("pgisolated_" + randomHash() + "_tpl",
        DatabaseNames.readyMarker(otherHash, lineage, Instant.EPOCH));
    String malformed = lookAlike("pgisolated_" + otherHash + "_tpl",
        "pgisolated:1 template " + otherHash + " ready lineage=" + lineage + " used=0 please-drop");

    Map<String, String> settings = Map.of("pgisolated.coordinator", "none", "pgisolated.pool.initial-size", "1",
        "pgisolated.template.keep", "1000", "pgisolated.template.max-age", "0");
    try (PgIsolatedPool user = PgIsolatedPool.start(TestPostgres.config(settings));
        DatabaseLease leasedByALivePool = user.lease(v.get(0));
        Connection other = TestPostgres.adminConnection(observer)) {
      // A test of a JVM whose coordinator is gone holds a clone of v1: its holder lock.
      String heldClone = names(v.get(1)).get(0);
      lock(other, "pg_advisory_lock", DatabaseClaims.HOLDER_CLASS_ID, heldClone);
      // Another JVM uses v2: it shares the template's claim key.
      lock(other, "pg_advisory_lock_shared", DatabaseClaims.CLASS_ID, DatabaseNames.template(hash(v.get(2))));
      // Another pool recreates a clone of v3: it claims it.
      lock(other, "pg_advisory_lock", DatabaseClaims.CLASS_ID, names(v.get(3)).get(0));

      List<List<String>> before = new ArrayList<>();
      for (TemplateDefinition version : v) {
        before.add(names(version));
      }

      TemplateCollector.Collected collected = collectAfter(v.get(5), 1, WEEK);

      assertThat(databasesOf(v.get(0))).as("leased from a live pool").containsAll(before.get(0));
      assertThat(databasesOf(v.get(1))).as("a clone has a holder lock").isEqualTo(before.get(1));
      assertThat(databasesOf(v.get(2))).as("its template is in use").isEqualTo(before.get(2));
      assertThat(databasesOf(v.get(3))).as("a clone is claimed").isEqualTo(before.get(3));
      assertThat(databasesOf(v.get(4))).as("nobody uses it").isEmpty();
      assertThat(databasesOf(v.get(5))).as("the current template").isEqualTo(before.get(5));
      assertThat(collected.databases()).containsExactlyInAnyOrderElementsOf(before.get(4));
      try (DatabaseLease stillWorks = user.lease(v.get(0))) {
        assertThat(stillWorks.database().databaseName()).isNotEqualTo(leasedByALivePool.database().databaseName());
      }
    }
    for (String name : List.of(unmarkedTemplate, unmarkedClone, mismatched, malformed)) {
      assertThat(exists(name)).as("look-alike %s", name).isTrue();
    }
  }

  @Test
  void dropsATemplateOfAnotherLineageUnusedForLongerThanTheMaximumAge() throws Exception {
    TemplateDefinition current = versions("gc/" + UUID.randomUUID() + "/current.sql", 1).get(0);
    TemplateDefinition stale = versions("gc/" + UUID.randomUUID() + "/stale.sql", 1).get(0);
    TemplateDefinition recent = versions("gc/" + UUID.randomUUID() + "/recent.sql", 1).get(0);
    build(List.of(current, stale, recent));
    lastUsed(stale, Duration.ofDays(8));
    lastUsed(recent, Duration.ofDays(6));

    collectAfter(current, 3, Duration.ofDays(100));
    assertThat(databasesOf(stale)).as("within a maximum age of 100 days").isNotEmpty();

    List<String> staleNames = names(stale);
    List<String> recentNames = names(recent);
    TemplateCollector.Collected collected = collectAfter(current, 3, WEEK);
    assertThat(databasesOf(stale)).isEmpty();
    assertThat(databasesOf(recent)).isEqualTo(recentNames);
    assertThat(databasesOf(current)).isNotEmpty();
    assertThat(collected.databases()).containsAll(staleNames);

    lastUsed(recent, Duration.ofDays(60));
    collectAfter(current, 3, Duration.ZERO);
    assertThat(databasesOf(recent)).as("a maximum age of 0 keeps everything").isEqualTo(recentNames);
  }

  @Test
  void dropsAFailedTemplateAfterAMinuteAndAHalfBuiltOneWhoseBuilderDied() throws Exception {
    TemplateDefinition current = versions("gc/" + UUID.randomUUID() + "/current.sql", 1).get(0);
    build(List.of(current));
    String justFailed = marked(hash -> DatabaseNames.failedMarker(hash, Instant.now(), "boom"));
    String failedLongAgo = marked(hash -> DatabaseNames.failedMarker(hash, Instant.now().minusSeconds(120), "boom"));
    String abandoned = marked(DatabaseNames::buildingMarker);
    String building = marked(DatabaseNames::buildingMarker);
    try (Connection builder = TestPostgres.adminConnection(observer)) {
      lock(builder, "pg_advisory_lock", DatabaseClaims.CLASS_ID, building);

      collectAfter(current, 3, WEEK);

      assertThat(exists(justFailed)).as("failed a moment ago: waiters may still read it").isTrue();
      assertThat(exists(failedLongAgo)).isFalse();
      assertThat(exists(abandoned)).isFalse();
      assertThat(exists(building)).as("its builder holds the claim").isTrue();
    }
  }

  @Test
  void aPoolRecordsTheLineageAndLastUseOfATemplateItReuses() throws Exception {
    TemplateDefinition template = versions("gc/" + UUID.randomUUID() + "/schema.sql", 1).get(0);
    build(List.of(template));
    Instant before = Instant.now().minusSeconds(1);
    lastUsed(template, Duration.ofDays(3));
    try (PgIsolatedPool reuser = PgIsolatedPool.start(TestPostgres.config(Map.of("pgisolated.coordinator", "none")));
        DatabaseLease lease = reuser.lease(template)) {
      assertThat(lease.database().databaseName()).startsWith("pgisolated_" + hash(template));
      DatabaseNames.Marker marker = DatabaseNames.parse(
          engine().admin().commentOf(DatabaseNames.template(hash(template))).orElseThrow()).orElseThrow();
      assertThat(marker.lineage()).contains(TemplateLineage.of(template));
      assertThat(marker.used()).hasValueSatisfying(used -> assertThat(used).isAfter(before));
    }
  }

  @Test
  void aPoolCollectsTheLineageOfATemplateInTheBackgroundOnceItIsReady() throws Exception {
    List<TemplateDefinition> v = versions("gc/" + UUID.randomUUID() + "/schema.sql", 3);
    build(v.subList(0, 2));
    lastUsed(v.get(0), Duration.ofHours(2));
    lastUsed(v.get(1), Duration.ofHours(1));
    Map<String, String> settings = Map.of("pgisolated.coordinator", "none", "pgisolated.template.keep", "1");
    try (PgIsolatedPool pool = PgIsolatedPool.start(TestPostgres.config(settings))) {
      long start = System.nanoTime();
      try (DatabaseLease lease = pool.lease(v.get(2))) {
        System.out.println("first lease of a new template, with a collection behind it: "
            + (System.nanoTime() - start) / 1_000_000 + " ms (" + lease.database().databaseName() + ")");
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while ((!databasesOf(v.get(0)).isEmpty() || !databasesOf(v.get(1)).isEmpty()) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(databasesOf(v.get(0))).isEmpty();
      assertThat(databasesOf(v.get(1))).isEmpty();
      assertThat(databasesOf(v.get(2))).isNotEmpty();
    }
  }

  @Test
  void leavesTheClonesOfATemplateWhoseMarkerANewerVersionWroteAndDropsThoseOfATemplateThatIsGone() throws Exception {
    TemplateDefinition current = versions("gc/" + UUID.randomUUID() + "/schema.sql", 1).get(0);
    build(List.of(current)); // first: its pool's own collection runs as its template is ready
    String newerHash = randomHash();
    String goneHash = randomHash();
    hashes.add(newerHash);
    hashes.add(goneHash);
    // A newer version's template: a marker this version does not read.
    lookAlike(DatabaseNames.template(newerHash), "pgisolated:9 template " + newerHash + " ready in a format of the future");
    String newerClone = lookAlike(DatabaseNames.clone(newerHash, 1), DatabaseNames.cloneMarker(newerHash));
    String orphan = lookAlike(DatabaseNames.clone(goneHash, 1), DatabaseNames.cloneMarker(goneHash));

    TemplateCollector.Collected collected = collectAfter(current, 1, WEEK);

    assertThat(collected.databases()).contains(orphan).doesNotContain(newerClone);
    assertThat(exists(newerClone)).as("a clone of a template whose marker is a newer version's").isTrue();
    assertThat(exists(orphan)).as("a clone whose template is gone").isFalse();
  }

  /** A template database with the given marker, made by hand. */
  private String marked(Function<String, String> marker) throws SQLException {
    String hash = randomHash();
    hashes.add(hash);
    String name = DatabaseNames.template(hash);
    try (Connection admin = TestPostgres.adminConnection(observer); Statement s = admin.createStatement()) {
      s.execute("create database \"" + name + "\"");
      s.execute("comment on database \"" + name + "\" is " + Sql.literal(marker.apply(hash)));
    }
    return name;
  }

  private String lookAlike(String name, String comment) throws SQLException {
    lookAlikes.add(name);
    try (Connection admin = TestPostgres.adminConnection(observer); Statement s = admin.createStatement()) {
      s.execute("create database \"" + name + "\"");
      if (comment != null) {
        s.execute("comment on database \"" + name + "\" is " + Sql.literal(comment));
      }
    }
    return name;
  }

  private static void lock(Connection session, String function, int classId, String database) throws SQLException {
    try (PreparedStatement ps = session.prepareStatement("select " + function + "(?, ?)")) {
      ps.setInt(1, classId);
      ps.setInt(2, DatabaseClaims.key(database));
      ps.execute();
    }
  }

  private static String randomHash() {
    return UUID.randomUUID().toString().replace("-", "").substring(0, 16);
  }

  private String hash(TemplateDefinition template) {
    return engine().templateHash(template);
  }

  /** The template's and its clones' names as they are on the server now. */
  private List<String> databasesOf(TemplateDefinition template) throws SQLException {
    return new ArrayList<>(engine().admin().databasesLike(DatabaseNames.likePattern(hash(template))).keySet());
  }

  /** Names the test captured before a collection (a template with two clones). */
  private List<String> names(TemplateDefinition template) throws SQLException {
    List<String> names = databasesOf(template);
    assertThat(names).as("databases of %s", hash(template)).isNotEmpty();
    return names;
  }

  private boolean exists(String name) throws SQLException {
    return engine().admin().commentOf(name).isPresent();
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private PoolEngine engine() {
    return (PoolEngine) observer;
  }

}
