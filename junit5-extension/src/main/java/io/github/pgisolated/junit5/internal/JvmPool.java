package io.github.pgisolated.junit5.internal;

import io.github.pgisolated.core.PgIsolatedConfig;
import io.github.pgisolated.core.PgIsolatedException;
import io.github.pgisolated.core.PgIsolatedPool;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ExtensionContext.StoreScope;

/**
 * The one {@link PgIsolatedPool} of this JVM, shared by every test class and thread.
 *
 * <p>Surefire runs each test class as its own execution request, so the per-class and root
 * stores would start a pool per class. The pool is therefore held here, once per JVM, and closed
 * when JUnit's launcher session ends (JUnit 5.13+, through the launcher-session store) or, on
 * older JUnit versions, when the JVM exits. A start that fails is remembered, so that every
 * later test fails fast with the same error instead of retrying a slow start.
 *
 * <p>Concurrency: one lock, held while the pool starts, so threads that need it wait for the
 * single start.
 */
public final class JvmPool {
  private static final Namespace NAMESPACE = Namespace.create(JvmPool.class);
  private static final Object LOCK = new Object();
  private static PgIsolatedPool pool;
  private static PgIsolatedException startFailure;
  private static boolean closedWithTheSession;

  private JvmPool() {}

  /** The pool, started on first use with the configuration the context sees. */
  public static PgIsolatedPool get(ExtensionContext context) {
    synchronized (LOCK) {
      if (pool != null) {
        return pool;
      }
      if (startFailure != null) {
        throw new PgIsolatedException("pgisolated could not start earlier in this JVM: " + startFailure.getMessage(),
            startFailure);
      }
      try {
        PgIsolatedConfig config = PgIsolatedConfig.from(context::getConfigurationParameter);
        pool = PgIsolatedPool.start(config);
      } catch (PgIsolatedException e) {
        startFailure = e;
        throw e;
      }
      closeWhenTheSessionEnds(context);
      closedWithTheSession = true;
      return pool;
    }
  }

  /**
   * The pool, for framework integrations that need it outside of JUnit's callbacks
   * (pgisolated-spring, while Spring starts an application context): started on first use with
   * {@code parameters} (for it, {@code junit-platform.properties}), then system properties and
   * environment variables; closed when the JVM exits, unless a JUnit callback started it.
   */
  public static PgIsolatedPool get(Function<String, Optional<String>> parameters) {
    synchronized (LOCK) {
      if (pool != null) {
        return pool;
      }
      if (startFailure != null) {
        throw new PgIsolatedException("pgisolated could not start earlier in this JVM: " + startFailure.getMessage(),
            startFailure);
      }
      try {
        pool = PgIsolatedPool.start(PgIsolatedConfig.from(parameters));
      } catch (PgIsolatedException e) {
        startFailure = e;
        throw e;
      }
      Runtime.getRuntime().addShutdownHook(new Thread(JvmPool::close, "pgisolated-shutdown"));
      return pool;
    }
  }

  /**
   * Makes a pool that was started outside of JUnit's callbacks ({@link #get(Function)}) close when
   * the launcher session ends, as one started by the extension does, so that its run report is
   * logged while logging still works; does nothing if there is no such pool.
   */
  public static void closeWithTheSession(ExtensionContext context) {
    synchronized (LOCK) {
      if (pool != null && !closedWithTheSession) {
        closeWhenTheSessionEnds(context);
        closedWithTheSession = true;
      }
    }
  }

  private static void closeWhenTheSessionEnds(ExtensionContext context) {
    AutoCloseable closer = JvmPool::close;
    try {
      context.getStore(StoreScope.LAUNCHER_SESSION, NAMESPACE).put(PgIsolatedPool.class, closer);
    } catch (NoSuchMethodError | NoClassDefFoundError olderJUnit) {
      // JUnit before 5.13 has no launcher-session store.
      Runtime.getRuntime().addShutdownHook(new Thread(JvmPool::close, "pgisolated-shutdown"));
    }
  }

  static void close() {
    PgIsolatedPool closing;
    synchronized (LOCK) {
      closing = pool;
      pool = null;
      closedWithTheSession = false;
    }
    if (closing != null) {
      closing.close();
    }
  }
}
