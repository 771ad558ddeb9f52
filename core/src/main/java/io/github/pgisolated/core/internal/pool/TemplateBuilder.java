package io.github.pgisolated.core.internal.pool;

import com.zaxxer.hikari.HikariDataSource;
import io.github.pgisolated.core.TemplateBuildException;
import io.github.pgisolated.core.TemplateDefinition;
import io.github.pgisolated.core.TemplateInitializer;
import io.github.pgisolated.core.UnableToLeaseDatabaseException;
import io.github.pgisolated.core.internal.migrations.Migrations;
import io.github.pgisolated.core.internal.pool.DatabaseNames.Kind;
import io.github.pgisolated.core.internal.pool.DatabaseNames.Marker;
import io.github.pgisolated.core.internal.server.ServerEndpoint;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a template database once per hash, on a server several JVMs may share.
 *
 * <p>The template's lifecycle, as seen in its marker (see {@link DatabaseNames}):
 * <pre>
 *   absent --claim, create--> building --scripts, initializer ok--> ready (never changes again)
 *                                 |--failure: dropped, error to every waiter--> absent
 *   building, found unclaimed (its builder died) --> dropped --> absent --> rebuilt
 * </pre>
 *
 * <p>Only the pool holding the template's claim (see {@link DatabaseClaims}) builds it; the others
 * poll for the claim until the template is ready or the template timeout passes. The ready marker
 * is written last, so a half-built template is never cloned.
 */
final class TemplateBuilder {
  private static final Logger LOG = LoggerFactory.getLogger(TemplateBuilder.class);

  private final ServerEndpoint server;
  private final DatabaseAdmin admin;
  private final DatabaseClaims claims;

  TemplateBuilder(ServerEndpoint server, DatabaseAdmin admin, DatabaseClaims claims) {
    this.server = server;
    this.admin = admin;
    this.claims = claims;
  }

  /** How a template came to be ready. */
  record Outcome(boolean built, long millis) {}

  /** Makes sure the template of {@code hash} exists and is finished, building it if needed. */
  Outcome ensureReady(TemplateDefinition definition, String hash, long deadlineNanos) throws SQLException {
    long start = System.nanoTime();
    String name = DatabaseNames.template(hash);
    if (isReady(name, hash)) {
      return new Outcome(false, elapsedMillis(start));
    }
    long pause = 20;
    while (!claims.tryClaim(name)) {
      // Another JVM is building it; wait for its ready marker (or its death, which frees the claim).
      if (isReady(name, hash)) {
        return new Outcome(false, elapsedMillis(start));
      }
      if (System.nanoTime() - deadlineNanos > 0) {
        throw new UnableToLeaseDatabaseException("Timed out after " + elapsedMillis(start) + " ms waiting for template "
            + name + " (" + definition.describe() + "), which another JVM is building on " + server
            + ". Raise pgisolated.template-timeout if building takes longer, or look at that JVM's log for its failure.");
      }
      sleep(pause);
      pause = Math.min(pause * 2, 500);
    }
    try {
      Optional<String> comment = admin.commentOf(name);
      if (comment.isPresent()) {
        Optional<Marker> marker = DatabaseNames.parse(comment.get());
        if (marker.isPresent() && marker.get().kind() == Kind.TEMPLATE_READY && marker.get().hash().equals(hash)) {
          return new Outcome(false, elapsedMillis(start));
        }
        if (marker.isEmpty() || !marker.get().hash().equals(hash) || marker.get().kind() == Kind.CLONE) {
          throw new TemplateBuildException("Database " + name + " exists on " + server
              + " but is not marked as a pgisolated template (its comment is '" + comment.get()
              + "'). pgisolated never touches databases it did not create: drop or rename it.");
        }
        LOG.warn("Template {} was left half-built (its builder died); dropping and rebuilding it", name);
        admin.drop(name);
      }
      build(definition, hash, name);
      long millis = elapsedMillis(start);
      LOG.info("Built template {} ({}) in {} ms", name, definition.describe(), millis);
      return new Outcome(true, millis);
    } finally {
      claims.release(name);
    }
  }

  private boolean isReady(String name, String hash) throws SQLException {
    return admin.commentOf(name).flatMap(DatabaseNames::parse)
        .filter(m -> m.kind() == Kind.TEMPLATE_READY && m.hash().equals(hash)).isPresent();
  }

  private void build(TemplateDefinition definition, String hash, String name) throws SQLException {
    admin.createEmpty(name, DatabaseNames.buildingMarker(hash));
    try {
      try (HikariDataSource template = DataSources.pool(server, name, 4, "pgisolated-template-" + hash,
          "pgisolated-template")) {
        if (!definition.scripts().isEmpty()) {
          // The simple query protocol sends each script whole: the server splits it, runs it as
          // one implicit transaction and reports error positions within the script.
          Properties simple = new Properties();
          simple.setProperty("preferQueryMode", "simple");
          try (Connection c = DataSources.connect(server, name, simple)) {
            for (String script : definition.scripts()) {
              ScriptRunner.run(c, script, TemplateHasher.readResource(definition.classLoader(), script, "script"));
            }
          }
        }
        Migrations.run(definition, server.database(name));
        if (definition.initializer().isPresent()) {
          runInitializer(definition.initializer().get(), template);
        }
      }
      int leftovers = admin.foreignSessions(name);
      // Sessions closed a moment ago may not have left pg_stat_activity yet: look again briefly.
      for (int i = 0; i < 25 && leftovers > 0; i++) {
        sleep(10);
        leftovers = admin.foreignSessions(name);
      }
      if (leftovers > 0) {
        LOG.warn("Building template {} left {} connection(s) open (an initializer that does not close what it opens?); "
            + "terminating them", name, leftovers);
      }
      admin.finishTemplate(name, DatabaseNames.readyMarker(hash));
    } catch (RuntimeException | SQLException e) {
      discard(name, e);
      throw e;
    } catch (Error e) {
      discard(name, e);
      throw e;
    }
  }

  private static void runInitializer(Class<? extends TemplateInitializer> type, HikariDataSource template) {
    TemplateInitializer initializer;
    try {
      Constructor<? extends TemplateInitializer> constructor = type.getDeclaredConstructor();
      constructor.setAccessible(true);
      initializer = constructor.newInstance();
    } catch (NoSuchMethodException e) {
      throw new TemplateBuildException("Template initializer " + type.getName()
          + " has no no-argument constructor; add one (it may be private).", e);
    } catch (InvocationTargetException e) {
      throw new TemplateBuildException("Template initializer " + type.getName() + " threw in its constructor: "
          + e.getCause(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new TemplateBuildException("Template initializer " + type.getName() + " could not be created: " + e, e);
    }
    try {
      initializer.initialize(template);
    } catch (TemplateBuildException e) {
      throw e;
    } catch (Exception e) {
      throw new TemplateBuildException("Template initializer " + type.getName() + " failed: " + e
          + "\nFix it; the template is rebuilt on the next run (nothing of the failed build is kept).", e);
    }
  }

  private void discard(String name, Throwable cause) {
    try {
      admin.drop(name);
    } catch (SQLException e) {
      cause.addSuppressed(e);
      LOG.warn("Could not drop the half-built template {}; it stays marked 'building' and is rebuilt next time", name, e);
    }
  }

  private static long elapsedMillis(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnableToLeaseDatabaseException("Interrupted while waiting for a template another JVM is building", e);
    }
  }
}
