package io.github.pgisolated.spring.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.junit5.PgIsolated;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.jdbc.JdbcTest;
import org.springframework.boot.test.autoconfigure.orm.jpa.DataJpaTest;
import org.springframework.boot.test.autoconfigure.orm.jpa.TestEntityManager;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.Commit;

/** Spring Boot's test slices with {@code @PgIsolated}: no embedded database, no {@code replace = NONE}. */
public class SliceTestCases {

  @DataJpaTest
  @PgIsolated
  public static class JpaSlice {
    @Autowired NoteRepository notes;
    @Autowired TestEntityManager entities;
    @Autowired JdbcTemplate jdbc;

    @RepeatedTest(3)
    void writesTheSameUniqueNoteInItsOwnDatabase() {
      assertThat(notes.count()).isEqualTo(2);
      entities.persistAndFlush(new Note("the same in every test"));
      assertThat(notes.findByText("the same in every test")).isPresent();
      Seen.DATABASES.add(jdbc.queryForObject("select current_database()", String.class));
    }

    @Test
    @Commit
    void commitsIntoItsOwnDatabase() {
      notes.save(new Note("committed by a slice"));
    }

    @Test
    void neverSeesTheCommittedNote() {
      assertThat(notes.findByText("committed by a slice")).isEmpty();
    }
  }

  @JdbcTest
  @PgIsolated
  public static class JdbcSlice {
    @Autowired JdbcTemplate jdbc;

    @RepeatedTest(2)
    void changesTheSchemaOfItsOwnDatabase() {
      assertThat(jdbc.queryForObject("select count(*) from note", Long.class)).isEqualTo(2);
      jdbc.execute("alter table note add column colour text");
      jdbc.update("insert into note (text, colour) values ('red', 'red')");
      Seen.DATABASES.add(jdbc.queryForObject("select current_database()", String.class));
    }
  }
}
