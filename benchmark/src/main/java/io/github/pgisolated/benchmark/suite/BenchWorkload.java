package io.github.pgisolated.benchmark.suite;

import io.github.pgisolated.core.TemplateDefinition;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * The benchmark's three workloads: what each test does, on which template. Chosen per fork JVM
 * with {@code -Dbench.workload}; the {@code @PgIsolated} classes of a workload carry its template.
 */
public enum BenchWorkload {
  /** A small shop (4 tables, 35 seed rows); each test inserts, updates, joins, and every fifth makes a table. */
  SMALL("small", "small schema (4 tables, 35 rows), DDL in every fifth test", IsolatedOrders.SCHEMA, IsolatedOrders.SEED) {
    @Override
    public void run(DataSource db, int suite, int repetition) throws SQLException {
      SmallWorkload.run(db, suite, repetition);
    }
  },
  /** A back office of 41 tables with foreign keys and indexes, some 20 000 seed rows; each test places an order. */
  LARGE("large", "larger schema (41 tables with foreign keys and indexes, 20 500 rows)", IsolatedLarge.SCHEMA,
      IsolatedLarge.SEED) {
    @Override
    public void run(DataSource db, int suite, int repetition) throws SQLException {
      LargeWorkload.run(db, suite, repetition);
    }
  },
  /** The small schema; every test creates a table, alters it and indexes it. */
  DDL("ddl", "DDL-heavy (every test creates, alters and indexes a table)", IsolatedOrders.SCHEMA, IsolatedOrders.SEED) {
    @Override
    public void run(DataSource db, int suite, int repetition) throws SQLException {
      DdlWorkload.run(db, suite, repetition);
    }
  };

  /** The system property a fork JVM reads its workload from. */
  public static final String PROPERTY = "bench.workload";

  private final String id;
  private final String description;
  private final List<String> scripts;

  BenchWorkload(String id, String description, String... scripts) {
    this.id = id;
    this.description = description;
    this.scripts = List.of(scripts);
  }

  /** One test's work. */
  public abstract void run(DataSource db, int suite, int repetition) throws SQLException;

  public String id() {
    return id;
  }

  public String description() {
    return description;
  }

  /** The template scripts, schema then seed. */
  public List<String> scripts() {
    return scripts;
  }

  /** The seed script, which truncate-and-reseed runs before every test. */
  public String seedScript() {
    return scripts.get(scripts.size() - 1);
  }

  public TemplateDefinition template() {
    return TemplateDefinition.builder().scripts(scripts.toArray(String[]::new)).build();
  }

  /** The prefix of the {@code @PgIsolated} suite classes of this workload. */
  public String isolatedPrefix() {
    return this == LARGE ? IsolatedLarge.class.getName() : IsolatedOrders.class.getName();
  }

  public static BenchWorkload of(String id) {
    return Arrays.stream(values()).filter(w -> w.id.equals(id.toLowerCase(Locale.ROOT))).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("Unknown " + PROPERTY + " '" + id + "'; one of "
            + Arrays.stream(values()).map(BenchWorkload::id).toList()));
  }

  /** This JVM's workload; small when none is set. */
  public static BenchWorkload current() {
    return of(System.getProperty(PROPERTY, SMALL.id));
  }
}
