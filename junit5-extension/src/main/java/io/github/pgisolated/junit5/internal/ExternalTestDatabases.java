package io.github.pgisolated.junit5.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Framework integrations that own the database of some tests (pgisolated-spring does, for Spring
 * tests, whose application context must use the same database as the test's parameters). The
 * extension asks them before it leases a database of its own, so that a test never gets two.
 *
 * <p>Integrations register a {@link Provider} with {@link ServiceLoader}; without any (a plain
 * JUnit build), {@link #find} costs a check of an empty list.
 */
public final class ExternalTestDatabases {
  private static final List<Provider> PROVIDERS = load();

  private ExternalTestDatabases() {}

  /** The integrations on the classpath; one that can't be loaded (its framework is missing) is left out. */
  private static List<Provider> load() {
    List<Provider> providers = new ArrayList<>();
    Iterator<Provider> found = ServiceLoader.load(Provider.class, Provider.class.getClassLoader()).iterator();
    // ServiceLoader moves past an entry that fails; the bound only guards against one that never lets go.
    for (int failures = 0; failures < 16; ) {
      try {
        if (!found.hasNext()) {
          break;
        }
        providers.add(found.next());
      } catch (ServiceConfigurationError | LinkageError e) {
        failures++;
        LoggerFactory.getLogger(ExternalTestDatabases.class).debug("A pgisolated integration could not be loaded", e);
      }
    }
    return List.copyOf(providers);
  }

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
