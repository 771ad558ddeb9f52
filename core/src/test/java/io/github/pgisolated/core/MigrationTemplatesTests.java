package io.github.pgisolated.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pgisolated.core.internal.engine.PoolEngine;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Templates built by Flyway and Liquibase, against a real PostgreSQL. */
class MigrationTemplatesTests {
  private static PgIsolatedPool pool;
  /** The hashes of every template the tests made, dropped at the end. */
  private static final Set<String> HASHES = ConcurrentHashMap.newKeySet();

  @BeforeAll
  static void startPool() {
    pool = PgIsolatedPool.start(TestPostgres.config(Map.of("pgisolated.pool.initial-size", "1", "pgisolated.coordinator", "none")));
  }

  @AfterAll
  static void closePoolAndDropWhatTheTestsMade() throws SQLException {
    pool.close();
    TestPostgres.dropDatabasesOf(pool, HASHES);
  }

  /** A template of its own for each test (a fresh hash input), dropped after the tests. */
  private static TemplateDefinition.Builder fresh() {
    return TemplateDefinition.builder().hashInput(UUID.randomUUID().toString());
  }

  private static String hashOf(TemplateDefinition template) {
    String hash = ((PoolEngine) pool).templateHash(template);
    HASHES.add(hash);
    return hash;
  }

  @Test
  void flywayTemplateIsClonedWithTheMigratedTablesAndSeedRows() throws SQLException {
    TemplateDefinition template = fresh().flyway("classpath:db/flyway/library").build();
    hashOf(template);
    for (int i = 0; i < 2; i++) { // a clone, then another one: both start from the migrated template
      try (DatabaseLease lease = pool.lease(template); Connection c = lease.dataSource().getConnection()) {
        assertThat(column(c, "select a.name || ': ' || b.title from book b join author a on a.id = b.author_id order by b.id"))
            .containsExactly("Ursula K. Le Guin: A Wizard of Earthsea", "Terry Pratchett: Small Gods", "Terry Pratchett: Mort");
        assertThat(column(c, "select isbn from book where isbn is not null"))
            .as("set by the Java migration V3__Add_isbn")
            .containsExactly("978-0-552-13890-6");
        assertThat(column(c, "select version || ' ' || success from flyway_schema_history where version is not null order by installed_rank"))
            .containsExactly("1 true", "2 true", "3 true");
        execute(c, "insert into author (name) values ('Iain M. Banks')");
        execute(c, "delete from book");
        assertThat(column(c, "select max(id) from author")).containsExactly("3");
      }
    }
  }

  @Test
  void liquibaseTemplateFollowsTheChangelogsIncludes() throws SQLException {
    TemplateDefinition template = fresh().liquibase("db/liquibase/changelog.yaml").build();
    hashOf(template);
    try (DatabaseLease lease = pool.lease(template); Connection c = lease.dataSource().getConnection()) {
      assertThat(column(c, "select name || ' ' || moons from planet order by id"))
          .as("the table from the XML include, the rows from the SQL include")
          .containsExactly("Mercury 0", "Earth 1", "Mars 2");
      assertThat(column(c, "select id from databasechangelog order by orderexecuted")).containsExactly("1", "2");
      execute(c, "insert into planet (name, moons) values ('Jupiter', 95)");
      assertThat(column(c, "select count(*) from planet")).containsExactly("4");
    }
  }

  @Test
  void scriptsRunFirstThenFlywayThenLiquibaseThenTheInitializer() throws SQLException {
    TemplateDefinition template = fresh()
        .scripts("db/shop.sql")
        .flyway("classpath:db/flyway/after-scripts")
        .liquibase("db/liquibase-order/changelog.sql")
        .initializer(RecordsItsStep.class)
        .build();
    hashOf(template);
    try (DatabaseLease lease = pool.lease(template); Connection c = lease.dataSource().getConnection()) {
      assertThat(column(c, "select step || ' saw ' || customers from build_step order by id"))
          .containsExactly("flyway saw 3", "liquibase saw 4", "initializer saw 4");
    }
  }

  /** The initializer of {@link #scriptsRunFirstThenFlywayThenLiquibaseThenTheInitializer}. */
  public static class RecordsItsStep implements TemplateInitializer {
    @Override
    public void initialize(DataSource template) throws SQLException {
      try (Connection c = template.getConnection()) {
        execute(c, "insert into build_step (step, customers) select 'initializer', count(*) from customer");
      }
    }
  }

  @Test
  void aFailingFlywayMigrationNamesTheMigrationAndTheErrorAndKeepsOnlyTheTemplateMarkedFailed() throws SQLException {
    TemplateDefinition template = fresh().flyway("classpath:db/flyway/broken").build();
    String hash = hashOf(template);

    assertThatThrownBy(() -> pool.lease(template))
        .isInstanceOf(TemplateBuildException.class)
        .hasMessageContaining("Flyway migration V2__fill_shelf.sql failed on the template (locations [classpath:db/flyway/broken])")
        .hasMessageContaining("column \"colour\" of relation \"shelf\" does not exist")
        .hasMessageContaining("Line       : 4")
        .hasMessageContaining("  4 | insert into shelf (colour) values ('red');")
        .hasMessageContaining("Fix the migration");

    assertThat(databasesOf(hash)).as("databases left for the failed template %s", hash).isEqualTo(1);
    assertThat(templateMarker(hash)).startsWith("pgisolated:1 template " + hash + " failed at=");
  }

  @Test
  void aFailingLiquibaseChangesetNamesTheChangesetAndTheErrorAndKeepsOnlyTheTemplateMarkedFailed() throws SQLException {
    TemplateDefinition template = fresh().liquibase("db/liquibase-broken/changelog.sql").build();
    String hash = hashOf(template);

    assertThatThrownBy(() -> pool.lease(template))
        .isInstanceOf(TemplateBuildException.class)
        .hasMessageContaining("Liquibase could not update the template from changelog db/liquibase-broken/changelog.sql")
        .hasMessageContaining("db/liquibase-broken/changelog.sql::bad-moon::pgisolated")
        .hasMessageContaining("column \"planet\" of relation \"moon\" does not exist")
        .hasMessageContaining("Fix the changeset");

    assertThat(databasesOf(hash)).as("databases left for the failed template %s", hash).isEqualTo(1);
    assertThat(templateMarker(hash)).startsWith("pgisolated:1 template " + hash + " failed at=");
  }

  @Test
  void aChangedOrAddedMigrationRebuildsTheTemplateAndNoChangeReusesIt(@TempDir Path classpath) throws Exception {
    String input = UUID.randomUUID().toString();
    Path migrations = Files.createDirectories(classpath.resolve("tmpdb/migration"));
    Files.writeString(migrations.resolve("V1__create_note.sql"), "create table note (id serial primary key, text text);");

    String first = hashAndTemplateOid(input, classpath);
    assertThat(columnsOfNote(input, classpath)).containsExactly("id", "text");
    assertThat(hashAndTemplateOid(input, classpath)).as("the same migrations, read again through a new class loader")
        .isEqualTo(first);

    Files.writeString(migrations.resolve("V1__create_note.sql"),
        "create table note (id serial primary key, text text, pinned boolean not null default false);");
    String changed = hashAndTemplateOid(input, classpath);
    assertThat(changed).isNotEqualTo(first);
    assertThat(columnsOfNote(input, classpath)).containsExactly("id", "text", "pinned");

    Files.writeString(migrations.resolve("V2__add_author.sql"), "alter table note add column author text;");
    String added = hashAndTemplateOid(input, classpath);
    assertThat(added).isNotEqualTo(changed).isNotEqualTo(first);
    assertThat(columnsOfNote(input, classpath)).containsExactly("id", "text", "pinned", "author");
  }

  /** Leases from the template of the migrations in {@code classpath}; returns its hash and its database's OID. */
  private static String hashAndTemplateOid(String input, Path classpath) throws Exception {
    try (URLClassLoader loader = loaderOf(classpath)) {
      TemplateDefinition template = TemplateDefinition.builder().hashInput(input).flyway("classpath:tmpdb/migration")
          .classLoader(loader).build();
      String hash = hashOf(template);
      try (DatabaseLease lease = pool.lease(template)) {
        assertThat(lease.database().databaseName()).contains(hash);
      }
      try (Connection admin = TestPostgres.adminConnection(pool);
          PreparedStatement ps = admin.prepareStatement("select oid from pg_database where datname = ?")) {
        ps.setString(1, "pgisolated_" + hash + "_tpl");
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).as("template of %s", hash).isTrue();
          return hash + "#" + rs.getLong(1);
        }
      }
    }
  }

  private static List<String> columnsOfNote(String input, Path classpath) throws Exception {
    try (URLClassLoader loader = loaderOf(classpath)) {
      TemplateDefinition template = TemplateDefinition.builder().hashInput(input).flyway("classpath:tmpdb/migration")
          .classLoader(loader).build();
      try (DatabaseLease lease = pool.lease(template); Connection c = lease.dataSource().getConnection()) {
        return column(c, "select column_name from information_schema.columns where table_name = 'note' order by ordinal_position");
      }
    }
  }

  private static URLClassLoader loaderOf(Path classpath) throws IOException {
    return new URLClassLoader(new URL[] {classpath.toUri().toURL()}, MigrationTemplatesTests.class.getClassLoader());
  }

  private static long databasesOf(String hash) throws SQLException {
    try (Connection admin = TestPostgres.adminConnection(pool);
        PreparedStatement ps = admin.prepareStatement(
            "select count(*) from pg_database where datname like 'pgisolated\\_' || ? || '%'")) {
      ps.setString(1, hash);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** The comment of the template of a hash: the failed one is kept, marked with its error, for waiting JVMs. */
  private static String templateMarker(String hash) throws SQLException {
    try (Connection admin = TestPostgres.adminConnection(pool);
        PreparedStatement ps = admin.prepareStatement(
            "select shobj_description(oid, 'pg_database') from pg_database where datname = ?")) {
      ps.setString(1, "pgisolated_" + hash + "_tpl");
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static List<String> column(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      List<String> values = new ArrayList<>();
      while (rs.next()) {
        values.add(rs.getString(1));
      }
      return values;
    }
  }
}
