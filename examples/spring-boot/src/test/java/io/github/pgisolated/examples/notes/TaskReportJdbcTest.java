package io.github.pgisolated.examples.notes;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.junit5.PgIsolated;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jdbc.test.autoconfigure.JdbcTest;
import org.springframework.jdbc.core.JdbcTemplate;

/** A JDBC slice: SQL a report would run, on the migrated schema, each test on a database of its own. */
@JdbcTest
@PgIsolated
class TaskReportJdbcTest {
  @Autowired JdbcTemplate jdbc;

  @Test
  void countsOpenTasksPerProject() {
    Map<String, Object> garden = jdbc.queryForMap("""
        select p.name, count(*) filter (where not t.done) as open
        from project p join task t on t.project_id = p.id
        where p.name = 'garden' group by p.name""");
    assertThat(garden).containsEntry("open", 1L);
  }

  @Test
  void aBulkUpdateStaysInThisTest() {
    assertThat(jdbc.update("update task set done = true")).isEqualTo(3);
    assertThat(jdbc.queryForObject("select count(*) from task where not done", Long.class)).isZero();
  }

  @Test
  void seesTheSeedWhateverTheBulkUpdateDid() {
    assertThat(jdbc.queryForObject("select count(*) from task where not done", Long.class)).isEqualTo(2);
  }
}
