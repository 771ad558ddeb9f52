package io.github.pgisolated.examples.notes;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.core.PgDatabase;
import io.github.pgisolated.junit5.PgIsolated;
import org.junit.jupiter.api.RepeatedTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The same writes in every repetition, in parallel (junit-platform.properties), on one cached
 * application context: each repetition has a database of its own. A {@code PgDatabase} parameter
 * is that same database.
 */
@SpringBootTest
@PgIsolated
class IsolationTest {
  @Autowired TaskService service;
  @Autowired JdbcTemplate jdbc;

  @RepeatedTest(6)
  void everyRepetitionStartsFromTheSeed(PgDatabase database) {
    assertThat(jdbc.queryForObject("select count(*) from task", Long.class)).isEqualTo(3);
    Task task = service.add(1, "the same title every time");
    assertThat(task.getId()).isEqualTo(4);
    jdbc.execute("create table scratch (id int)");
    assertThat(jdbc.queryForObject("select current_database()", String.class)).isEqualTo(database.databaseName());
  }
}
