package io.github.pgisolated.junit5.internal;

import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Framework integrations that own the database of some tests (pgisolated-spring does, for Spring
 * tests, whose application context must use the same database as the test's parameters). The
 * extension asks them before it leases a database of its own, so that a test never gets two.
 *
 * <p>Integrations register a {@link Provider} with {@link ServiceLoader}; without any (a plain
 * JUnit build), {@link #find} costs a check of an empty list.
 */
public final class ExternalTestDatabases {
  private static final List<Provider> PROVIDERS = ServiceLoader.load(Provider.class, Provider.class.getClassLoader())
      .stream().map(ServiceLoader.Provider::get).toList();

  private ExternalTestDatabases() {}

  /** The database an integration owns for this test method, if one does. */
  public static Optional<TestDatabase> find(ExtensionContext testMethodContext) {
    for (Provider provider : PROVIDERS) {
      Optional<TestDatabase> database = provider.databaseFor(testMethodContext);
      if (database.isPresent()) {
        return database;
      }
    }
    return Optional.empty();
  }

  /** Not API: implemented by pgisolated's own framework integrations. */
  public interface Provider {
    /**
     * The database this integration owns for the test (leasing it now if it has none yet), or
     * empty if the test is not one of its own. The integration gives it back, never the extension.
     */
    Optional<TestDatabase> databaseFor(ExtensionContext testMethodContext);
  }
}
