package io.github.pgisolated.examples.notes;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.junit5.PgIsolated;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.data.jpa.test.autoconfigure.DataJpaTest;
import org.springframework.boot.jpa.test.autoconfigure.TestEntityManager;

/**
 * A JPA slice: {@code @DataJpaTest} would put an embedded database in; with {@code @PgIsolated}
 * it runs on PostgreSQL, each test in a database of its own (and in a transaction rolled back).
 */
@DataJpaTest
@PgIsolated
class TaskRepositoryTest {
  @Autowired TaskRepository tasks;
  @Autowired ProjectRepository projects;
  @Autowired TestEntityManager entities;

  @Test
  void findsTheTasksOfAProjectInOrder() {
    assertThat(tasks.findByProjectIdOrderById(1L)).extracting(Task::getTitle)
        .containsExactly("plant tomatoes", "water the roses");
  }

  @Test
  void countsOpenTasks() {
    assertThat(tasks.countByDoneFalse()).isEqualTo(2);
  }

  @Test
  void findsOpenTasksByProjectName() {
    assertThat(tasks.openTasksOf("kitchen")).extracting(Task::getTitle).containsExactly("fix the tap");
  }

  @Test
  void savesATaskWithTheNextIdentity() {
    Project garden = projects.findByName("garden").orElseThrow();
    Task task = tasks.save(new Task(garden, "mow the lawn"));
    entities.flush();
    assertThat(task.getId()).isEqualTo(4);
  }

  @Test
  void completedTasksAreNotOpen() {
    Task tap = tasks.findById(3L).orElseThrow();
    tap.complete();
    entities.flush();
    entities.clear();
    assertThat(tasks.countByDoneFalse()).isEqualTo(1);
  }

  @Test
  void deletesATask() {
    tasks.deleteById(2L);
    entities.flush();
    assertThat(tasks.count()).isEqualTo(2);
  }

  @Test
  void seesTheSeedWhateverTheOthersDid() {
    assertThat(tasks.count()).isEqualTo(3);
    assertThat(projects.count()).isEqualTo(2);
  }
}
