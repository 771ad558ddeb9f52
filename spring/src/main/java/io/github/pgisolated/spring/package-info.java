/**
 * pgisolated for Spring tests: {@link io.github.pgisolated.junit5.PgIsolated @PgIsolated} on a
 * {@code @SpringBootTest}, {@code @DataJpaTest} or {@code @JdbcTest} class gives every test method
 * a database of its own while Spring builds the application context once and caches it.
 *
 * <p>For <em>users</em>: add {@code io.github.pgisolated:pgisolated-spring} as a test dependency
 * and put {@code @PgIsolated} on the test class; nothing else to register. The context's
 * {@code DataSource} bean is replaced by a {@link io.github.pgisolated.spring.PgIsolatedDataSource}
 * that sends each connection to the database of the test asking for it; Flyway or Liquibase
 * migrations that Spring Boot would run on start run once, into the template.
 *
 * <pre>{@code
 * @SpringBootTest
 * @PgIsolated
 * class OrderServiceTest {
 *   @Autowired OrderService orders;
 *
 *   @Test
 *   void placesAnOrder() { ... }   // its own database, migrated by the application's Flyway settings
 * }
 * }</pre>
 *
 * <p>Everything in {@code io.github.pgisolated.spring.internal} is not API.
 */
package io.github.pgisolated.spring;
