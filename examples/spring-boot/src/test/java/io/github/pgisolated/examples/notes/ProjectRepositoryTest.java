package io.github.pgisolated.examples.notes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pgisolated.junit5.PgIsolated;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.data.jpa.test.autoconfigure.DataJpaTest;
import org.springframework.boot.jpa.test.autoconfigure.TestEntityManager;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.Commit;

@DataJpaTest
@PgIsolated
class ProjectRepositoryTest {
  @Autowired ProjectRepository projects;
  @Autowired TestEntityManager entities;
  @Autowired JdbcTemplate jdbc;

  @Test
  void findsAProjectByName() {
    assertThat(projects.findByName("kitchen")).map(Project::getId).contains(2L);
  }

  @Test
  void aDuplicateNameIsRefused() {
    // The identity column makes the insert happen at once; the database's unique constraint refuses it.
    assertThatThrownBy(() -> {
      projects.save(new Project("garden"));
      entities.flush();
    }).isInstanceOf(DataIntegrityViolationException.class).hasMessageContaining("project_name_key");
  }

  @Test
  @Commit
  void aCommittedProjectStaysInThisTestsDatabase() {
    projects.save(new Project("attic"));
  }

  @Test
  void neverSeesAnotherTestsCommittedProject() {
    assertThat(projects.findByName("attic")).isEmpty();
  }

  @Test
  void schemaChangesStayInTheTestsDatabaseToo() {
    jdbc.execute("alter table project add column colour text");
    jdbc.update("update project set colour = 'green' where name = 'garden'");
    assertThat(jdbc.queryForObject("select colour from project where id = 1", String.class)).isEqualTo("green");
  }
}
