package io.github.pgisolated.spring;

import io.github.pgisolated.core.PgDatabase;
import javax.sql.DataSource;

/**
 * The {@code DataSource} of a Spring application context under test with
 * {@link io.github.pgisolated.junit5.PgIsolated @PgIsolated}: every connection goes to the database
 * of the test that asks for it, so one cached context serves every test method, each on a
 * database of its own.
 *
 * <p>For <em>users</em>. pgisolated-spring puts it in place of the context's {@code DataSource}
 * bean; inject it as a {@code DataSource} (or as this type, to see where a test's connections go,
 * for example to point a tool that doesn't take a {@code DataSource} at the same database):
 *
 * <pre>{@code
 * @SpringBootTest
 * @PgIsolated
 * class ReportExportTest {
 *   @Autowired PgIsolatedDataSource dataSource;
 *
 *   @Test
 *   void exportsWithTheCommandLineTool() {
 *     PgDatabase db = dataSource.currentDatabase();   // this test's database
 *     runExporter(db.jdbcUrl(), db.user(), db.password());
 *   }
 * }
 * }</pre>
 *
 * <p>Which database a connection goes to:
 * <ul>
 *   <li>on a thread running a test (its {@code @BeforeEach}, the test, its {@code @AfterEach}, and
 *       Spring's test transaction): that test's;</li>
 *   <li>on any other thread (a web server's, an {@code @Async} executor's) while exactly one test
 *       of this context runs: that test's; while several run in parallel, the connection fails with
 *       a message saying so, because it can't be told which test it is for;</li>
 *   <li>while no test runs (the context starting, between tests): a database of the context's own,
 *       cloned from the same template and given back once the context has started.</li>
 * </ul>
 *
 * <p>Connections come from a small pool on the test's database
 * ({@code pgisolated.datasource.max-connections}), closed when the test ends, so no connection
 * outlives its test. {@code spring.datasource.*} settings do not apply to them.
 *
 * @since 0.1.0
 */
public interface PgIsolatedDataSource extends DataSource {

  /** The database this thread's connections go to now (see the class comment). */
  PgDatabase currentDatabase();
}
