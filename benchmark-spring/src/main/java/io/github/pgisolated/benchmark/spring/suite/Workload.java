package io.github.pgisolated.benchmark.spring.suite;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.benchmark.spring.app.Project;
import io.github.pgisolated.benchmark.spring.app.TaskRepository;
import io.github.pgisolated.benchmark.spring.app.TaskService;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The ten tests every class of the suite has, whatever isolates them: each creates a project with
 * tasks through the service (one transaction), reads them through the repository, completes one,
 * and checks a count with SQL. The names are unique, so the tests also pass on one shared
 * database.
 */
public abstract class Workload {
  @Autowired TaskService service;
  @Autowired TaskRepository tasks;
  @Autowired JdbcTemplate jdbc;

  private void work(int count) {
    Project project = service.create("p-" + UUID.randomUUID(), count);
    assertThat(tasks.findByProjectIdOrderById(project.getId())).hasSize(count);
    service.completeFirst(project.getId());
    assertThat(tasks.countByProjectIdAndDoneFalse(project.getId())).isEqualTo(count - 1);
    assertThat(jdbc.queryForObject("select count(*) from task where project_id = ? and done", Long.class,
        project.getId())).isEqualTo(1);
    assertThat(jdbc.queryForObject("select count(*) from project where name like 'seed project %'", Long.class))
        .isEqualTo(20);
  }

  @Test
  void test01() {
    work(1 + 1);
  }

  @Test
  void test02() {
    work(2 + 1);
  }

  @Test
  void test03() {
    work(3 + 1);
  }

  @Test
  void test04() {
    work(4 + 1);
  }

  @Test
  void test05() {
    work(5 + 1);
  }

  @Test
  void test06() {
    work(6 + 1);
  }

  @Test
  void test07() {
    work(7 + 1);
  }

  @Test
  void test08() {
    work(8 + 1);
  }

  @Test
  void test09() {
    work(9 + 1);
  }

  @Test
  void test10() {
    work(10 + 1);
  }
}
