package io.github.pgisolated.examples.notes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pgisolated.junit5.PgIsolated;
import io.github.pgisolated.spring.PgIsolatedDataSource;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.Commit;
import org.springframework.test.context.transaction.AfterTransaction;
import org.springframework.transaction.annotation.Transactional;

/** The service's transactions, against a real PostgreSQL: commits, rollbacks, constraints. */
@SpringBootTest
@PgIsolated
class TaskServiceTest {
  @Autowired TaskService service;
  @Autowired TaskRepository tasks;
  @Autowired ProjectRepository projects;
  @Autowired JdbcTemplate jdbc;
  @Autowired PgIsolatedDataSource dataSource;

  @Test
  void splitsAProjectInOneTransaction() {
    Project herbs = service.split("garden", "herbs");
    assertThat(tasks.openTasksOf("herbs")).extracting(Task::getTitle).containsExactly("plant tomatoes");
    assertThat(tasks.openTasksOf("garden")).isEmpty();
    assertThat(herbs.getId()).isEqualTo(3);
  }

  @Test
  void aFailedSplitLeavesNothingBehind() {
    // 'kitchen' exists: the new project violates the unique name, and nothing of the split stays.
    assertThatThrownBy(() -> service.split("garden", "kitchen")).isInstanceOf(DataIntegrityViolationException.class);
    assertThat(projects.count()).isEqualTo(2);
    assertThat(tasks.openTasksOf("garden")).hasSize(1);
  }

  @Test
  void theSameTitleTwiceInOneProjectIsRefusedByTheDatabase() {
    assertThatThrownBy(() -> service.add(1, "plant tomatoes")).isInstanceOf(DataIntegrityViolationException.class);
  }

  @Test
  void completingAnUnknownTaskFails() {
    assertThatThrownBy(() -> service.complete(99)).isInstanceOf(NoSuchElementException.class);
  }

  @Test
  @Transactional
  void aTransactionalTestIsRolledBack() {
    service.add(2, "buy bread");
    assertThat(tasks.count()).isEqualTo(4);
  }

  @Test
  @Transactional
  @Commit
  void aCommittedTestKeepsItsWriteInItsOwnDatabaseOnly() {
    service.add(2, "buy milk");
  }

  @AfterTransaction
  void afterTheTestTransaction() {
    // Still the test's database: after @Commit the write is there, after a rollback it is not.
    long milk = jdbc.queryForObject("select count(*) from task where title = 'buy milk'", Long.class);
    long bread = jdbc.queryForObject("select count(*) from task where title = 'buy bread'", Long.class);
    assertThat(milk + bread).isLessThanOrEqualTo(1);
    assertThat(bread).isZero();
  }

  @Test
  void neverSeesWhatOtherTestsCommitted() {
    assertThat(jdbc.queryForObject("select count(*) from task where title in ('buy milk', 'buy bread')", Long.class))
        .isZero();
  }

  @Test
  void theContextsDataSourceIsOnTheTestsDatabase() {
    String database = jdbc.queryForObject("select current_database()", String.class);
    assertThat(dataSource.currentDatabase().databaseName()).isEqualTo(database).startsWith("pgisolated_");
  }
}
