package io.github.pgisolated.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pgisolated.core.internal.engine.PoolEngine;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A full disk, for real: a tmpfs of {@link #DISK_MB} MB the test mounts itself ({@link SmallDisk}:
 * as root, skipped otherwise, and CI runs as root), an embedded server of the test's own on it, and templates of
 * some MB each, so that only a few clones fit. The server's own files take about 40 MB (initdb,
 * the WAL), each template and each clone about 17 MB (measured).
 */
class OutOfSpaceTests {
  private static final int DISK_MB = 150;
  /** About 10 MB of rows: with the catalogs, a database of 17 MB. */
  private static final String ROWS = "create table big as select g, repeat('x', 200) as pad from generate_series(1, 40000) g;";
  private static final String SCRIPT = "out-of-space-" + System.nanoTime() + ".sql";

  private static SmallDisk disk;

  @BeforeAll
  static void mountASmallDisk() throws Exception {
    disk = SmallDisk.mount(DISK_MB);
  }

  @AfterAll
  static void stopTheServerAndUnmount() throws Exception {
    if (disk != null) {
      disk.close();
    }
  }

  @Test
  void aFullDiskShrinksThePoolDropsOldTemplatesAndTestsGoOnWithTheClonesThatFit() throws Exception {
    // An old version of the template, nobody's any more once its run ended: room the collector can free.
    TemplateDefinition old = version("old");
    String oldHash;
    try (PgIsolatedPool earlier = PgIsolatedPool.start(config(Map.of()))) {
      oldHash = ((PoolEngine) earlier).templateHash(old);
      try (DatabaseLease lease = earlier.lease(old)) {
        assertThat(rows(lease)).isEqualTo(40_000);
      }
    }
    TemplateDefinition current = version("current");
    try (PgIsolatedPool pool = PgIsolatedPool.start(config(Map.of()))) {
      assertThat(databasesOf(pool, oldHash)).as("the old template, before the disk is full").isNotEmpty();
      PoolEngine engine = (PoolEngine) pool;
      List<DatabaseLease> held = new ArrayList<>();
      UnableToLeaseDatabaseException full = null;
      // Tests that hold their databases, more than fit: the last one fails, saying why.
      while (full == null && held.size() < 12) {
        try {
          held.add(pool.lease(current, Duration.ofSeconds(6)));
        } catch (UnableToLeaseDatabaseException e) {
          full = e;
        }
      }
      assertThat(full).as("a lease fails once the disk is full").isNotNull();
      assertThat(held).as("the clones that fit are leased").hasSizeBetween(2, 8);
      assertThat(full.getMessage()).contains("Out of disk space in " + disk.dataDirectory(), "MB usable of",
          "No space left on device", "SQLSTATE 53100", "pgisolated.pool.max-size", "pgisolated.pool.initial-size",
          "pgisolated.pool.max-databases", "pgisolated.pool.disk-budget", "pgisolated.embedded.data-directory");
      assertThat(databasesOf(pool, oldHash)).as("the old template and its clones were dropped to make room").isEmpty();

      int attempts = engine.report().outOfSpace();
      assertThat(attempts).as("clone attempts that ran out of space: a few, not a retry storm").isBetween(1, 8);
      for (DatabaseLease lease : held) {
        lease.close();
      }
      // The tests go on, each on a clone recycled from the one before.
      for (int i = 0; i < 2 * held.size() + 2; i++) {
        try (DatabaseLease lease = pool.lease(current, Duration.ofSeconds(20))) {
          assertThat(rows(lease)).isEqualTo(40_000);
        }
      }
      int afterRecycling = engine.report().outOfSpace();
      TimeUnit.SECONDS.sleep(3);
      assertThat(engine.report().outOfSpace()).as("no attempts while nobody waits").isEqualTo(afterRecycling);
      assertThat(afterRecycling - attempts).as("recycling does not keep running out of space").isLessThanOrEqualTo(2);
    }
  }

  @Test
  void aTemplateThatDoesNotFitFailsNamingTheDirectoryTheSpaceLeftAndWhatToLower() throws Exception {
    // Three times the disk: never fits, whatever the collector frees.
    String huge = "create table huge as select g, repeat('y', 1000) as pad from generate_series(1, "
        + DISK_MB * 3 * 1000 + ") g;";
    TemplateDefinition template = TemplateDefinition.builder().scripts(SCRIPT + ".huge")
        .classLoader(serving(SCRIPT + ".huge", huge)).build();
    try (PgIsolatedPool pool = PgIsolatedPool.start(config(Map.of()))) {
      assertThatThrownBy(() -> pool.lease(template)).isInstanceOf(TemplateBuildException.class)
          .hasMessageContaining("out of disk space in " + disk.dataDirectory())
          .hasMessageContaining("MB usable of")
          .hasMessageContaining("No space left on device")
          .hasMessageContaining("pgisolated.pool.max-size")
          .hasMessageContaining("pgisolated.embedded.data-directory");
      // The server survived, and the space came back: the next template builds.
      TemplateDefinition small = TemplateDefinition.builder().scripts(SCRIPT + ".small")
          .classLoader(serving(SCRIPT + ".small", "create table small (id int);")).build();
      try (DatabaseLease lease = pool.lease(small)) {
        assertThat(lease.database().databaseName()).isNotBlank();
      }
    }
  }

  private static PgIsolatedConfig config(Map<String, String> overrides) {
    Map<String, String> properties = new HashMap<>(disk.settings());
    properties.put("pgisolated.pool.initial-size", "1");
    properties.put("pgisolated.pool.max-size", "30");
    properties.put("pgisolated.pool.max-databases", "30");
    properties.put("pgisolated.lease-timeout", "6s");
    properties.putAll(overrides);
    return TestPostgres.config(properties);
  }

  /** A version of one template (one lineage): the same script name, different contents. */
  private static TemplateDefinition version(String label) {
    return TemplateDefinition.builder().scripts(SCRIPT)
        .classLoader(serving(SCRIPT, ROWS + " comment on table big is '" + label + "';")).build();
  }

  private static ClassLoader serving(String resource, String content) {
    return new ClassLoader(OutOfSpaceTests.class.getClassLoader()) {
      @Override
      public InputStream getResourceAsStream(String name) {
        return name.equals(resource) ? new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8))
            : super.getResourceAsStream(name);
      }
    };
  }

  private static long rows(DatabaseLease lease) throws SQLException {
    try (Connection c = lease.dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select count(*) from big")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static List<String> databasesOf(PgIsolatedPool pool, String hash) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Connection admin = TestPostgres.adminConnection(pool); Statement s = admin.createStatement();
        ResultSet rs = s.executeQuery("select datname from pg_database where datname like 'pgisolated\\_" + hash
            + "\\_%'")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
  }
}
