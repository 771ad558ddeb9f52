package io.github.pgisolated.spring.app;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/** What the fixtures saw, for the tests that run them through EngineTestKit. */
public final class Seen {
  public static final Map<String, String> VALUES = new ConcurrentHashMap<>();
  public static final List<String> DATABASES = new CopyOnWriteArrayList<>();

  private Seen() {}

  public static void clear() {
    VALUES.clear();
    DATABASES.clear();
  }

  public static String currentDatabase(DataSource dataSource) {
    return new JdbcTemplate(dataSource).queryForObject("select current_database()", String.class);
  }
}
