package io.github.pgisolated.junit5;

import io.github.pgisolated.core.ResetMode;
import io.github.pgisolated.core.TemplateInitializer;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives every test method a real PostgreSQL database of its own, cloned from a template.
 *
 * <p>For <em>users</em>. Put it on a test class (subclasses and {@code @Nested} classes inherit
 * it) or on a test method, and ask for the database as a parameter:
 *
 * <pre>{@code
 * @PgIsolated(scripts = "db/schema.sql")
 * class NoteRepositoryTest {
 *
 *   @Test
 *   void savesANote(DataSource db) throws SQLException {
 *     new NoteRepository(db).save(new Note("hello"));
 *     ...
 *   }
 * }
 * }</pre>
 *
 * <p>What a test can ask for, in test methods, {@code @BeforeEach}/{@code @AfterEach} methods and
 * constructors:
 * <ul>
 *   <li>{@link javax.sql.DataSource}: a small connection pool on the test's database;</li>
 *   <li>{@link java.sql.Connection}: one connection from it, closed after the test;</li>
 *   <li>{@link io.github.pgisolated.core.PgDatabase}: the JDBC URL, host, port, name, user and
 *       password, for frameworks that want to connect by themselves.</li>
 * </ul>
 *
 * <p>{@code @BeforeEach}, the test and {@code @AfterEach} see the same database. After
 * {@code @AfterEach}, the extension closes what it opened, reports connections the test left
 * open ({@code pgisolated.leak-detection}) and gives the database back; nobody else gets it until
 * it is back in the template's exact state: when the test changed only rows and sequences, they
 * are put back in place (and the next test gets the same database with warm connections), else it
 * is recreated from the template ({@link #reset()}). A test that asks for no database gets none.
 * When a test fails, its database is kept for debugging (up to
 * {@code pgisolated.keep-failed-databases} per JVM): the failure shows its JDBC URL, and a later
 * run drops it.
 *
 * <p>The template is built once from {@link #scripts()}, then {@link #flyway()} or
 * {@link #liquibase()} migrations, then {@link #initializer()}, and reused for as long as none of
 * them changes, across test classes, Surefire forks and runs. Migrations need the tool on the test
 * classpath:
 *
 * <pre>{@code
 * @PgIsolated(flyway = "classpath:db/migration")                      // org.flywaydb:flyway-core
 * @PgIsolated(liquibase = "db/changelog/db.changelog-master.yaml")    // org.liquibase:liquibase-core
 * }</pre>
 *
 * <p> Tests may run in
 * parallel ({@code junit.jupiter.execution.parallel.enabled=true}). Configuration keys
 * ({@code pgisolated.*}) and their defaults are listed in the README.
 *
 * @since 0.1.0
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(PgIsolatedExtension.class)
public @interface PgIsolated {

  /**
   * Classpath SQL resources run in order on the template, e.g. {@code "db/schema.sql"}. Each
   * script runs as one transaction; its contents are part of the template's hash.
   */
  String[] scripts() default {};

  /**
   * Flyway locations migrated on the template after the scripts, e.g.
   * {@code "classpath:db/migration"} (or {@code "filesystem:src/main/db"}). Needs
   * {@code org.flywaydb:flyway-core} and {@code org.flywaydb:flyway-database-postgresql} on the
   * test classpath. Every file under the locations (names and contents) is part of the template's
   * hash. The default, empty, means no Flyway.
   */
  String[] flyway() default {};

  /**
   * A classpath Liquibase changelog updated on the template after the scripts (and after Flyway,
   * if both are given), e.g. {@code "db/changelog/db.changelog-master.yaml"}. Needs
   * {@code org.liquibase:liquibase-core} on the test classpath. The changelog and every file in its
   * directory and below are part of the template's hash; name files included from elsewhere in
   * {@link #hashInputs()}. The default, empty, means no Liquibase.
   */
  String liquibase() default "";

  /**
   * A class that fills the template after the scripts and migrations, with a no-argument constructor. Its
   * bytecode is part of the template's hash. The default, {@code TemplateInitializer.class}
   * itself, means none.
   */
  Class<? extends TemplateInitializer> initializer() default TemplateInitializer.class;

  /**
   * Extra values folded into the template's hash, for inputs pgisolated cannot see: the classes
   * an initializer calls, a file it reads. Change a value (e.g. {@code "catalogue-v2"}) to
   * rebuild the template.
   */
  String[] hashInputs() default {};

  /**
   * The test only reads its database: every new session on it is read-only (writes fail), and
   * after the test the database goes back to the pool as it is, without being recreated, unless
   * the test failed or left a session open. Put it on read-heavy test classes to save the
   * recreation.
   */
  boolean readOnly() default false;

  /**
   * What happens to a test's database after the test, for this class (or method): {@link
   * Reset#DEFAULT} follows {@code pgisolated.reset} (itself {@code auto} by default).
   */
  Reset reset() default Reset.DEFAULT;

  /**
   * What happens to a test's database after the test; see {@link ResetMode}.
   *
   * <pre>{@code
   * @PgIsolated(scripts = "db/schema.sql", reset = PgIsolated.Reset.RECREATE) // never reset in place
   * }</pre>
   */
  enum Reset {
    /** As {@code pgisolated.reset} says. */
    DEFAULT(null),
    /** Rows and sequences put back in place when that is all the test changed, else recreated. */
    AUTO(ResetMode.AUTO),
    /** Always recreated from the template. */
    RECREATE(ResetMode.RECREATE);

    private final ResetMode mode;

    Reset(ResetMode mode) {
      this.mode = mode;
    }

    /**
     * The core's mode this stands for; empty for {@link #DEFAULT}, which leaves it to the
     * configuration ({@code pgisolated.reset}).
     */
    public Optional<ResetMode> mode() {
      return Optional.ofNullable(mode);
    }
  }
}
