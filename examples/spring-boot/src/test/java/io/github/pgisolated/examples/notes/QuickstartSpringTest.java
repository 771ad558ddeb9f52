package io.github.pgisolated.examples.notes;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.junit5.PgIsolated;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

// readme:start:spring
@SpringBootTest
@PgIsolated // the template is migrated once, by the application's own spring.flyway.* settings
class QuickstartSpringTest {

  @Autowired TaskService service;
  @Autowired TaskRepository tasks;

  @Test
  void addsATask() {
    assertThat(tasks.count()).isEqualTo(3); // the seed migration's rows, whatever other tests did

    service.add(1, "prune the apple tree");

    assertThat(tasks.count()).isEqualTo(4);
  }

  @Test
  void addsTheSameTaskInAnotherDatabase() {
    // (project, title) is unique, yet this passes next to the test above, even in parallel:
    // the application context is shared, the database is not.
    Task task = service.add(1, "prune the apple tree");

    assertThat(task.getId()).isEqualTo(4); // every database's identities start where the template's were
  }
}
// readme:end:spring
