package io.github.pgisolated.core.internal.template;

import com.zaxxer.hikari.HikariDataSource;
import io.github.pgisolated.core.PgIsolatedException;
import io.github.pgisolated.core.TemplateBuildException;
import io.github.pgisolated.core.TemplateDefinition;
import io.github.pgisolated.core.TemplateInitializer;
import io.github.pgisolated.core.UnableToLeaseDatabaseException;
import io.github.pgisolated.core.internal.db.DataSources;
import io.github.pgisolated.core.internal.db.DatabaseAdmin;
import io.github.pgisolated.core.internal.db.DatabaseClaims;
import io.github.pgisolated.core.internal.db.DatabaseNames.Kind;
import io.github.pgisolated.core.internal.db.DatabaseNames.Marker;
import io.github.pgisolated.core.internal.db.DatabaseNames;
import io.github.pgisolated.core.internal.db.TemplateFingerprint;
import io.github.pgisolated.core.internal.migrations.Migrations;
import io.github.pgisolated.core.internal.reset.TemplateSnapshot;
import io.github.pgisolated.core.internal.server.ServerEndpoint;
import io.github.pgisolated.core.internal.space.OutOfSpace;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
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
 *   absent --claim, create--> building --scripts, initializer ok--> ready (only its last use changes)
 *                                 |--failure--> failed (kept, no connections, never cloned)
 *   building, found unclaimed (its builder died) --> dropped --> rebuilt
 *   failed, found by a JVM that saw it being built --> its error, in that JVM too
 *   failed, found by any other JVM (a later run) --> dropped --> rebuilt
 *   ready or failed, old, unused and unclaimed --> dropped by a {@link TemplateCollector}
 * </pre>
 *
 * <p>Only the pool holding the template's claim (see {@link DatabaseClaims}) builds it, marks it
 * failed or drops it; the others poll for the claim until the template is ready or the template
 * timeout passes. The ready marker is written last, so a half-built template is never cloned. A
 * JVM that uses a ready template shares its claim key for as long as it runs ({@link
 * TemplateUses}), so that nobody can drop or rebuild it meanwhile, and stamps its last use.
 *
 * <p>A build failure reaches every JVM that waited for it: the builder keeps the failed template,
 * marked with the error, and a JVM that saw the template being built while it waited for the claim
 * reports that error instead of running the (maybe slow) broken build again. A JVM that did not
 * wait (the next run, or one that comes later) drops the failed template and builds it again.
 */
final class TemplateBuilder {
  private static final Logger LOG = LoggerFactory.getLogger(TemplateBuilder.class);

  private final ServerEndpoint server;
  private final DatabaseAdmin admin;
  private final DatabaseClaims claims;
  private final TemplateUses uses;
  private final Clock clock;

  TemplateBuilder(ServerEndpoint server, DatabaseAdmin admin, DatabaseClaims claims, TemplateUses uses, Clock clock) {
    this.server = server;
    this.admin = admin;
    this.claims = claims;
    this.uses = uses;
    this.clock = clock;
  }

  /**
   * How a template came to be ready.
   *
   * @param built whether this JVM built it
   * @param millis how long that took (or the check that it was ready)
   * @param fingerprint what its builder recorded of its contents, empty when that could not be done
   *     (then its clones are always recreated, never reset in place)
   */
  record Outcome(boolean built, long millis, Optional<TemplateFingerprint> fingerprint) {}

  /**
   * Makes sure the template of {@code hash} exists and is finished, building it if needed, and
   * marks it as used by this JVM (shared until {@link TemplateUses} closes, last use stamped).
   *
   * @throws TemplateBuildException when this JVM's build failed, or another's that it waited for
   */
  Outcome ensureReady(TemplateDefinition definition, String hash, String lineage, long deadlineNanos)
      throws SQLException {
    long start = System.nanoTime();
    String name = DatabaseNames.template(hash);
    boolean built = false;
    // Whether, while another session held the claim, the template was seen being built (building
    // or absent): a failed marker found afterwards is then that build's, not an earlier run's.
    boolean sawItBeingBuilt = false;
    long pause = 20;
    while (true) {
      if (uses.tryShare(name)) {
        // Nobody builds or drops it now, and nobody can until this JVM's pool closes.
        Optional<Marker> ready = markerOf(name).filter(m -> m.isReadyTemplateOf(hash));
        if (ready.isPresent()) {
          if (!built) {
            stampUse(name, ready.get(), lineage);
          }
          return new Outcome(built, elapsedMillis(start), ready.get().fingerprint());
        }
        uses.release(name);
      }
      if (claims.tryClaim(name)) {
        try {
          built |= buildUnderClaim(definition, hash, lineage, name, sawItBeingBuilt);
        } finally {
          claims.release(name);
        }
        continue;
      }
      // Another JVM (or pool) builds it, or is about to drop an old one.
      Optional<String> comment = admin.commentOf(name);
      if (!sawItBeingBuilt && (comment.isEmpty() || comment.flatMap(DatabaseNames::parse)
          .filter(m -> m.kind() == Kind.TEMPLATE_BUILDING && m.hash().equals(hash)).isPresent())) {
        sawItBeingBuilt = true;
        LOG.info("Waiting for template {} ({}), which another JVM or pool is building", name, definition.describe());
      }
      if (System.nanoTime() - deadlineNanos > 0) {
        throw new UnableToLeaseDatabaseException("Timed out after " + elapsedMillis(start) + " ms waiting for template "
            + name + " (" + definition.describe() + "), which another JVM is building on " + server
            + ". Raise pgisolated.template-timeout if building takes longer, or look at that JVM's log for its failure.");
      }
      sleep(pause);
      pause = Math.min(pause * 2, 500);
    }
  }

  /** Under the template's claim: builds it unless it is ready; true if it built it. */
  private boolean buildUnderClaim(TemplateDefinition definition, String hash, String lineage, String name,
      boolean sawItBeingBuilt) throws SQLException {
    Optional<String> comment = admin.commentOf(name);
    if (comment.isPresent()) {
      Optional<Marker> marker = DatabaseNames.parse(comment.get());
      if (marker.isPresent() && marker.get().isReadyTemplateOf(hash)) {
        return false;
      }
      if (marker.isEmpty() || !marker.get().hash().equals(hash) || marker.get().kind() == Kind.CLONE) {
        throw new TemplateBuildException("Database " + name + " exists on " + server
            + " but is not marked as a pgisolated template (its comment is '" + comment.get()
            + "'). pgisolated never touches databases it did not create: drop or rename it.");
      }
      if (marker.get().kind() == Kind.TEMPLATE_FAILED) {
        if (sawItBeingBuilt) {
          throw new TemplateBuildException("Template " + name + " (" + definition.describe()
              + ") failed to build in another JVM or pool on " + server + ", which this one waited for; it is not "
              + "built again in this run (the next run builds it again). Its error:\n"
              + marker.get().failure().filter(f -> !f.isBlank()).orElse("(no error was recorded)"));
        }
        LOG.info("Template {} failed to build in an earlier run; dropping it and building it again", name);
      } else {
        LOG.warn("Template {} was left half-built (its builder died); dropping and rebuilding it", name);
      }
      admin.drop(name);
    }
    long start = System.nanoTime();
    build(definition, hash, lineage, name);
    LOG.info("Built template {} ({}) in {} ms", name, definition.describe(), elapsedMillis(start));
    return true;
  }

  private Optional<Marker> markerOf(String name) throws SQLException {
    return admin.commentOf(name).flatMap(DatabaseNames::parse);
  }

  /** Records this JVM's use, for the collector; under this JVM's share, so the template stays ready. */
  private void stampUse(String name, Marker ready, String lineage) {
    try {
      // What the builder and the last coordinator recorded stays.
      admin.comment(name, DatabaseNames.readyMarker(ready.hash(), lineage, clock.instant(), ready.fingerprint(),
          ready.demand()));
    } catch (SQLException e) {
      LOG.debug("Could not record the use of template {}; it may be collected sooner", name, e);
    }
  }

  private void build(TemplateDefinition definition, String hash, String lineage, String name) throws SQLException {
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
      admin.finishTemplate(name, DatabaseNames.readyMarker(hash, lineage, clock.instant(), fingerprint(name),
          Optional.empty()));
    } catch (RuntimeException | SQLException e) {
      markFailed(name, hash, e);
      throw e;
    } catch (Error e) {
      markFailed(name, hash, e);
      throw e;
    }
  }

  /**
   * What the template holds, for resets in place to prove a clone is back in its state; empty,
   * with the reason logged, when it can't be read (a column type without binary output, for
   * example): then its clones are always recreated.
   */
  private Optional<TemplateFingerprint> fingerprint(String name) {
    try (Connection c = DataSources.connect(server, name)) {
      long start = System.nanoTime();
      TemplateFingerprint fingerprint = TemplateSnapshot.take(c).fingerprint();
      LOG.debug("Fingerprinted template {} in {} ms", name, elapsedMillis(start));
      return Optional.of(fingerprint);
    } catch (SQLException e) {
      LOG.info("Clones of template {} will always be recreated, never reset in place: its contents could not be read "
          + "({})", name, e.getMessage());
      return Optional.empty();
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
          + "\nFix it; the next run builds the template again.", e);
    }
  }

  /**
   * Keeps a failed build, marked with its error, for the JVMs waiting for it; dropped if even that
   * fails (then the waiters build it again themselves). A build that ran out of disk is dropped at once.
   */
  private void markFailed(String name, String hash, Throwable cause) {
    String error = cause instanceof PgIsolatedException ? cause.getMessage() : cause.toString();
    if (OutOfSpace.is(cause)) {
      // What it holds takes the room the disk lacks: it goes, and whoever waited builds it again.
      dropHalfBuilt(name, cause);
      return;
    }
    try {
      admin.markFailed(name, DatabaseNames.failedMarker(hash, clock.instant(), error));
      return;
    } catch (SQLException | RuntimeException e) {
      cause.addSuppressed(e);
    }
    dropHalfBuilt(name, cause);
  }

  private void dropHalfBuilt(String name, Throwable cause) {
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
