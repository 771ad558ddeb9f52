package io.github.pgisolated.spring.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.core.PgDatabase;
import io.github.pgisolated.junit5.PgIsolated;
import io.github.pgisolated.spring.PgIsolatedDataSource;
import jakarta.persistence.EntityManagerFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.Commit;
import org.springframework.test.context.transaction.AfterTransaction;
import org.springframework.transaction.annotation.Transactional;

/** {@code @SpringBootTest} fixtures, run through EngineTestKit by the spring module's tests; never run directly. */
public class SpringBootTestCases {
  static final String SAME_TEXT = "the same unique text in every test";

  /** Writes the same unique row in every test: each must see only the seed and its own write. */
  abstract static class WritesTheSameRow {
    @Autowired NoteRepository notes;
    @Autowired DataSource dataSource;

    @RepeatedTest(4)
    void writesTheSameUniqueNote() {
      assertThat(notes.count()).as("the seed only, whatever the other tests wrote").isEqualTo(2);
      notes.save(new Note(SAME_TEXT));
      assertThat(notes.findByText(SAME_TEXT)).isPresent();
      assertThat(notes.count()).isEqualTo(3);
      Seen.DATABASES.add(Seen.currentDatabase(dataSource));
    }
  }

  @SpringBootTest(classes = NotesApplication.class)
  @PgIsolated
  public static class FirstClass extends WritesTheSameRow {}

  @SpringBootTest(classes = NotesApplication.class)
  @PgIsolated
  public static class SecondClass extends WritesTheSameRow {}

  @SpringBootTest(classes = NotesApplication.class)
  @PgIsolated
  @Transactional
  public static class TransactionalTests {
    @Autowired NoteRepository notes;
    @Autowired JdbcTemplate jdbc;

    @Test
    void writesInTheTestTransaction() {
      notes.save(new Note(SAME_TEXT));
      assertThat(notes.count()).isEqualTo(3);
      Seen.VALUES.put("rolledBack.database", jdbc.queryForObject("select current_database()", String.class));
    }

    @Test
    @Commit
    void commitsItsWrite() {
      notes.save(new Note("committed"));
      Seen.VALUES.put("committed.database", jdbc.queryForObject("select current_database()", String.class));
    }

    @AfterTransaction
    void afterTheTransaction() {
      // The test transaction has ended (rolled back, or committed); this is still the test's database.
      Seen.VALUES.merge("afterTransaction.counts", String.valueOf(jdbc.queryForObject("select count(*) from note",
          Long.class)), (a, b) -> a + "," + b);
    }

    @Test
    void seesNeitherTheRolledBackNorTheCommittedWrite() {
      assertThat(notes.count()).isEqualTo(2);
      assertThat(notes.findByText("committed")).isEmpty();
    }
  }

  @SpringBootTest(classes = NotesApplication.class)
  @PgIsolated
  @Execution(ExecutionMode.CONCURRENT)
  public static class ParallelTests {
    public static final AtomicInteger RUNNING = new AtomicInteger();
    public static final AtomicInteger MOST_AT_ONCE = new AtomicInteger();

    @Autowired NoteRepository notes;
    @Autowired DataSource dataSource;

    @RepeatedTest(8)
    void writesTheSameUniqueNoteAtTheSameTime() throws InterruptedException {
      int now = RUNNING.incrementAndGet();
      MOST_AT_ONCE.accumulateAndGet(now, Math::max);
      try {
        assertThat(notes.count()).isEqualTo(2);
        notes.save(new Note(SAME_TEXT));
        Thread.sleep(150); // overlap with the others while holding the write
        assertThat(notes.count()).isEqualTo(3);
        Seen.DATABASES.add(Seen.currentDatabase(dataSource));
      } finally {
        RUNNING.decrementAndGet();
      }
    }
  }

  @SpringBootTest(classes = NotesApplication.class)
  @PgIsolated
  public static class ParameterTests {
    private final PgDatabase fromConstructor;
    @Autowired DataSource contextDataSource;
    @Autowired PgIsolatedDataSource routing;

    ParameterTests(PgDatabase database) {
      this.fromConstructor = database;
    }

    @Test
    void parametersAndTheContextShareTheTestsDatabase(DataSource parameter, PgDatabase database) {
      String context = Seen.currentDatabase(contextDataSource);
      assertThat(Seen.currentDatabase(parameter)).isEqualTo(context);
      assertThat(database.databaseName()).isEqualTo(context);
      assertThat(fromConstructor.databaseName()).isEqualTo(context);
      assertThat(routing.currentDatabase()).isEqualTo(database);
      Seen.VALUES.put("parameters.database", context);
    }

    @Test
    void workHandedToAnotherThreadFindsTheTestsDatabase() throws Exception {
      String here = Seen.currentDatabase(contextDataSource);
      String there = CompletableFuture.supplyAsync(() -> Seen.currentDatabase(contextDataSource))
          .get(30, TimeUnit.SECONDS);
      assertThat(there).isEqualTo(here);
    }
  }

  /** Flyway settings of the application's own: another table, placeholders, another location. */
  @SpringBootTest(classes = NotesApplication.class, properties = {
      "spring.flyway.locations=classpath:db/custom",
      "spring.flyway.table=custom_history",
      "spring.flyway.placeholders.table_name=note",
      "spring.flyway.placeholders.seed=from a placeholder",
      "spring.jpa.hibernate.ddl-auto=none"})
  @PgIsolated
  public static class CustomFlywaySettings {
    @Autowired JdbcTemplate jdbc;

    @Test
    void theTemplateWasMigratedWithTheApplicationsSettings() {
      assertThat(jdbc.queryForList("select text from note", String.class)).containsExactly("from a placeholder");
      assertThat(jdbc.queryForObject("select count(*) from custom_history where success", Long.class)).isEqualTo(1);
      assertThat(jdbc.queryForObject("select to_regclass('flyway_schema_history') is null", Boolean.class)).isTrue();
    }
  }

  @SpringBootTest(classes = NotesApplication.class, properties = "spring.flyway.locations=classpath:db/broken")
  @PgIsolated
  public static class BrokenMigration {
    @Autowired NoteRepository notes;

    @Test
    void first() {
      notes.count();
    }

    @Test
    void second() {
      notes.count();
    }
  }

  @SpringBootTest(classes = NotesApplication.class, properties = {"spring.flyway.enabled=false", "spring.liquibase.enabled=true",
      "spring.liquibase.change-log=classpath:db/liquibase/changelog.yaml", "spring.jpa.hibernate.ddl-auto=none"})
  @PgIsolated
  public static class LiquibaseSettings {
    @Autowired JdbcTemplate jdbc;

    @Test
    void theTemplateWasUpdatedWithTheApplicationsChangelog() {
      assertThat(jdbc.queryForList("select text from note", String.class)).containsExactly("liquibase seed note");
      assertThat(jdbc.queryForObject("select count(*) from databasechangelog", Long.class)).isEqualTo(2);
    }
  }

  @SpringBootTest(classes = NotesApplication.class)
  @PgIsolated
  public static class FailsOnPurpose {
    @Autowired NoteRepository notes;

    @Test
    void leavesEvidenceAndFails() {
      notes.save(new Note("evidence"));
      assertThat(notes.count()).isEqualTo(99);
    }
  }

  /** Two tests of one context, one after the other, each inserting one entity with a sequence id. */
  @SpringBootTest(classes = NotesApplication.class)
  @PgIsolated
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  public static class PooledSequence {
    @Autowired CounterRepository counters;

    @Test
    @Order(1)
    void first() {
      Seen.VALUES.put("sequence.first.id", String.valueOf(counters.save(new Counter("first")).getId()));
    }

    @Test
    @Order(2)
    void second() {
      Seen.VALUES.put("sequence.second.id", String.valueOf(counters.save(new Counter("second")).getId()));
    }
  }

  /** Two tests at once; one hands work to a thread of its own while both run. */
  @SpringBootTest(classes = NotesApplication.class)
  @PgIsolated
  @Execution(ExecutionMode.CONCURRENT)
  public static class OtherThreadWhileParallel {
    static final CyclicBarrier BOTH_RUNNING = new CyclicBarrier(2);

    @Autowired DataSource dataSource;

    @Test
    void handsWorkToAnotherThread() throws Exception {
      BOTH_RUNNING.await(30, TimeUnit.SECONDS);
      try {
        CompletableFuture.supplyAsync(() -> Seen.currentDatabase(dataSource)).get(30, TimeUnit.SECONDS);
        Seen.VALUES.put("otherThread.error", "none");
      } catch (ExecutionException e) {
        Seen.VALUES.put("otherThread.error", String.valueOf(rootCause(e).getMessage()));
      } finally {
        BOTH_RUNNING.await(30, TimeUnit.SECONDS);
      }
    }

    @Test
    void runsAtTheSameTime() throws Exception {
      BOTH_RUNNING.await(30, TimeUnit.SECONDS);
      assertThat(Seen.currentDatabase(dataSource)).startsWith("pgisolated_");
      BOTH_RUNNING.await(30, TimeUnit.SECONDS);
    }

    private static Throwable rootCause(Throwable t) {
      Throwable cause = t;
      while (cause.getCause() != null) {
        cause = cause.getCause();
      }
      return cause;
    }
  }

  /** A JPA second-level cache, on for every entity: one test caches (and changes) a note, the next reads it. */
  @SpringBootTest(classes = NotesApplication.class, properties = {
      "spring.jpa.properties.hibernate.cache.use_second_level_cache=true",
      "spring.jpa.properties.hibernate.cache.region.factory_class=jcache",
      "spring.jpa.properties.hibernate.javax.cache.missing_cache_strategy=create",
      "spring.jpa.properties.jakarta.persistence.sharedCache.mode=ALL"})
  @PgIsolated
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  public static class SecondLevelCache {
    @Autowired NoteRepository notes;
    @Autowired EntityManagerFactory entityManagerFactory;

    @Test
    @Order(1)
    void changesACachedNote() {
      Note first = notes.findAll().stream().filter(n -> n.getText().equals("first seed note")).findFirst().orElseThrow();
      Seen.VALUES.put("cache.id", String.valueOf(first.getId()));
      notes.save(new NoteChange(first).renamed("changed by the first test"));
      Seen.VALUES.put("cache.cachedInFirst",
          String.valueOf(entityManagerFactory.getCache().contains(Note.class, first.getId())));
    }

    @Test
    @Order(2)
    void readsThatNoteFromItsOwnDatabase() {
      long id = Long.parseLong(Seen.VALUES.get("cache.id"));
      Seen.VALUES.put("cache.cachedInSecond", String.valueOf(entityManagerFactory.getCache().contains(Note.class, id)));
      Seen.VALUES.put("cache.textInSecond", notes.findById(id).orElseThrow().getText());
    }
  }

  /** Changes a detached note's text, as a form would. */
  record NoteChange(Note note) {
    Note renamed(String text) {
      note.setText(text);
      return note;
    }
  }
}
