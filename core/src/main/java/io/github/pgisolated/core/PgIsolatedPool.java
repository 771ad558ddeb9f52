package io.github.pgisolated.core;

import java.time.Duration;
import java.util.ServiceLoader;

/**
 * Hands out databases of their own to tests: a template per {@link TemplateDefinition}, built
 * once, and a warm pool of clones of it. After each use a clone is put back into the template's
 * state, in place when the test changed only rows ({@link ResetMode}), or recreated.
 *
 * <p>For <em>users</em> of the core API outside JUnit (the JUnit extension manages one per JVM):
 *
 * <pre>{@code
 * try (PgIsolatedPool pool = PgIsolatedPool.start(PgIsolatedConfig.fromSystem())) {
 *   TemplateDefinition schema = TemplateDefinition.builder().scripts("db/schema.sql").build();
 *   try (DatabaseLease lease = pool.lease(schema)) {
 *     run(lease.dataSource());
 *   }
 * }
 * }</pre>
 *
 * <p>Thread-safe. Several pools (in one or several JVMs) may share one server: each database is
 * claimed by exactly one of them, and nothing pgisolated did not create and mark is ever dropped,
 * altered or handed out.
 *
 * @since 0.1.0
 */
public interface PgIsolatedPool extends AutoCloseable {

  /**
   * Starts (or connects to) PostgreSQL as configured and returns a pool. Templates are built on
   * first use.
   *
   * @throws UnableToStartPostgresException when the server cannot be started or reached
   */
  static PgIsolatedPool start(PgIsolatedConfig config) {
    // Found through the ServiceLoader so that this API does not depend on its implementation.
    Provider provider = ServiceLoader.load(Provider.class, PgIsolatedPool.class.getClassLoader()).findFirst()
        .orElseThrow(() -> new PgIsolatedException("No pgisolated pool implementation on the classpath: "
            + "pgisolated-core's jar is incomplete (META-INF/services/" + Provider.class.getName()
            + " is missing). Depend on io.github.pgisolated:pgisolated-core as published; if you shade it, "
            + "merge service files (the Maven Shade plugin's ServicesResourceTransformer)."));
    return provider.start(config);
  }

  /** Leases a database, waiting at most {@code pgisolated.lease-timeout}. */
  default DatabaseLease lease(TemplateDefinition template) {
    return lease(template, config().leaseTimeout());
  }

  /**
   * Leases a database cloned from the template, building the template first if needed.
   *
   * @throws UnableToLeaseDatabaseException when no database is ready within the timeout; the
   *     message shows the pool's state and what to change
   * @throws TemplateBuildException when the template cannot be built
   */
  default DatabaseLease lease(TemplateDefinition template, Duration timeout) {
    return lease(template, timeout, LeaseMode.READ_WRITE);
  }

  /**
   * Leases a database cloned from the template, for the given use, reset as
   * {@code pgisolated.reset} says after it.
   *
   * @throws UnableToLeaseDatabaseException when no database is ready within the timeout
   * @throws TemplateBuildException when the template cannot be built
   */
  default DatabaseLease lease(TemplateDefinition template, Duration timeout, LeaseMode mode) {
    return lease(template, timeout, mode, config().reset());
  }

  /**
   * Leases a database cloned from the template, for the given use, and says what happens to it
   * after the lease.
   *
   * @throws UnableToLeaseDatabaseException when no database is ready within the timeout
   * @throws TemplateBuildException when the template cannot be built
   */
  DatabaseLease lease(TemplateDefinition template, Duration timeout, LeaseMode mode, ResetMode reset);

  /** The configuration this pool runs with. */
  PgIsolatedConfig config();

  /** A one-line description of the server, e.g. {@code embedded PostgreSQL 18.6 at 127.0.0.1:5432}. */
  String serverDescription();

  /**
   * Stops creating databases and disconnects. Databases already created stay, marked, for the
   * next run to reuse; leases still open stay valid until the server stops.
   */
  @Override
  void close();

  /**
   * For <em>implementors</em> only: how {@link #start} finds the engine. pgisolated-core
   * registers its own with {@link ServiceLoader}; users never implement this.
   */
  interface Provider {
    /** Starts a pool with this configuration. */
    PgIsolatedPool start(PgIsolatedConfig config);
  }
}
