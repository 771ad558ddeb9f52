package io.github.pgisolated.spring;

import static io.github.pgisolated.spring.SpringBootTestsSupport.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.spring.app.Seen;
import io.github.pgisolated.spring.app.SliceTestCases;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code @PgIsolated} on Spring Boot 3.5's test slices (the slices' packages moved in Spring Boot 4,
 * whose slices the Spring Boot example tests).
 */
class SliceTestsTests {

  @BeforeEach
  void forgetWhatEarlierRunsSaw() {
    Seen.clear();
  }

  @Test
  void dataJpaTestAndJdbcTestSlicesRunOnTheirOwnDatabasesWithoutAnEmbeddedOne() {
    run(SliceTestCases.JpaSlice.class, SliceTestCases.JdbcSlice.class)
        .testEvents().assertStatistics(s -> s.succeeded(7).failed(0));
    assertThat(Seen.DATABASES).hasSize(5).allSatisfy(db -> assertThat(db).startsWith("pgisolated_"));
  }
}
