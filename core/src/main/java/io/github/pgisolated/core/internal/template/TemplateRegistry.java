package io.github.pgisolated.core.internal.template;

import io.github.pgisolated.core.PgIsolatedConfig;
import io.github.pgisolated.core.PgIsolatedException;
import io.github.pgisolated.core.TemplateBuildException;
import io.github.pgisolated.core.TemplateDefinition;
import io.github.pgisolated.core.UnableToLeaseDatabaseException;
import io.github.pgisolated.core.internal.db.DataSources;
import io.github.pgisolated.core.internal.db.TemplateFingerprint;
import io.github.pgisolated.core.internal.db.DatabaseAdmin;
import io.github.pgisolated.core.internal.db.DatabaseClaims;
import io.github.pgisolated.core.internal.db.DatabaseNames;
import io.github.pgisolated.core.internal.report.RunReport;
import io.github.pgisolated.core.internal.server.ServerEndpoint;
import io.github.pgisolated.core.internal.space.OutOfSpace;
import io.github.pgisolated.core.internal.space.SpaceAdvice;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure each template this JVM needs is finished on the server, once per hash per JVM.
 *
 * <p>Templates are built by the JVM that needs them (only it has the scripts and the initializer
 * on its classpath), never by the coordinator. The first thread that needs a hash builds it under
 * the cross-JVM claim (see {@link TemplateBuilder}); every other thread of this JVM waits on the
 * same future, so all of them see the same result, including the same build failure. A failed
 * build stays failed for the rest of this JVM's life; the next run rebuilds it.
 *
 * <p>Once a template is ready here (built or reused), its lineage's old templates are collected in
 * the background ({@link TemplateCollector}), once per lineage. The templates this JVM uses stay
 * marked as used ({@link TemplateUses}) until {@link #close}.
 */
public final class TemplateRegistry implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TemplateRegistry.class);

  private final TemplateBuilder builder;
  private final String serverDescription;
  private final RunReport report;
  private final TemplateCollector collector;
  private final TemplateUses uses;
  private final SpaceAdvice space;
  private final Map<String, CompletableFuture<Optional<TemplateFingerprint>>> ready = new ConcurrentHashMap<>();

  TemplateRegistry(TemplateBuilder builder, String serverDescription, RunReport report, TemplateCollector collector,
      TemplateUses uses, SpaceAdvice space) {
    this.space = space;
    this.report = report;
    this.builder = builder;
    this.serverDescription = serverDescription;
    this.collector = collector;
    this.uses = uses;
  }

  /** The registry of a pool on {@code server}, with sessions of its own for its uses and its collections. */
  public static TemplateRegistry create(ServerEndpoint server, DatabaseAdmin admin, DatabaseClaims claims,
      PgIsolatedConfig config, RunReport report, SpaceAdvice space) {
    Supplier<Connection> sessions = () -> {
      try {
        return DataSources.connect(server, server.maintenanceDatabase());
      } catch (SQLException e) {
        throw new UnableToLeaseDatabaseException("Could not open a pgisolated session on " + server + ": " + e, e);
      }
    };
    Clock clock = Clock.systemUTC();
    TemplateUses uses = new TemplateUses(sessions);
    return new TemplateRegistry(new TemplateBuilder(server, admin, claims, uses, clock), server.description(), report,
        new TemplateCollector(admin, sessions, config.templateKeep(), config.templateMaxAge(), clock), uses, space);
  }

  /**
   * Returns once the template is finished, with what its builder recorded of its contents (empty:
   * its clones can't be reset in place); builds it if this is the first thread to need it.
   */
  public Optional<TemplateFingerprint> ensureReady(TemplateDefinition template, String hash, long deadlineNanos) {
    CompletableFuture<Optional<TemplateFingerprint>> future = ready.get(hash);
    if (future == null) {
      CompletableFuture<Optional<TemplateFingerprint>> mine = new CompletableFuture<>();
      future = ready.putIfAbsent(hash, mine);
      if (future == null) {
        future = mine;
        build(template, hash, mine, deadlineNanos);
      }
    }
    if (future.isDone() && !future.isCompletedExceptionally()) {
      return future.join();
    }
    try {
      return future.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof TemplateBuildException) {
        // A fresh exception per caller (with this caller's stack), same message and cause.
        throw new TemplateBuildException(cause.getMessage(), cause);
      }
      if (cause instanceof PgIsolatedException) {
        throw new UnableToLeaseDatabaseException(cause.getMessage(), cause);
      }
      throw new TemplateBuildException("Could not build template " + DatabaseNames.template(hash) + " ("
          + template.describe() + ") on " + serverDescription + ": " + cause, cause);
    } catch (TimeoutException e) {
      throw new UnableToLeaseDatabaseException("Timed out waiting for template " + DatabaseNames.template(hash) + " ("
          + template.describe() + ") to be built by another test in this JVM. Raise pgisolated.template-timeout if "
          + "building takes longer.", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnableToLeaseDatabaseException("Interrupted while waiting for template " + DatabaseNames.template(hash), e);
    }
  }

  private void build(TemplateDefinition template, String hash, CompletableFuture<Optional<TemplateFingerprint>> result,
      long deadline) {
    try {
      String lineage = TemplateLineage.of(template);
      TemplateBuilder.Outcome outcome;
      try {
        outcome = builder.ensureReady(template, hash, lineage, deadline);
      } catch (SQLException | RuntimeException e) {
        if (!OutOfSpace.is(e)) {
          throw e;
        }
        outcome = afterRunningOutOfSpace(template, hash, lineage, deadline, e);
      }
      if (outcome.built()) {
        report.builds().add(outcome.millis() * 1_000_000);
      } else {
        report.templateReused();
        LOG.info("Reusing template {} ({}), checked in {} ms", DatabaseNames.template(hash), template.describe(),
            outcome.millis());
      }
      result.complete(outcome.fingerprint());
      collector.afterReady(hash, lineage);
    } catch (SQLException e) {
      result.completeExceptionally(new TemplateBuildException("Could not build template "
          + DatabaseNames.template(hash) + " (" + template.describe() + ") on " + serverDescription + ": "
          + e.getMessage(), e));
    } catch (RuntimeException | Error e) {
      result.completeExceptionally(e);
    }
  }

  /**
   * A build ran out of disk: old templates nobody uses are dropped, and if that freed anything the
   * template is built once more; else (or if it fails again) the error says where, how much is
   * left and what to change.
   */
  private TemplateBuilder.Outcome afterRunningOutOfSpace(TemplateDefinition template, String hash, String lineage,
      long deadline, Exception failure) {
    String name = DatabaseNames.template(hash);
    long freed = freeSpace();
    Exception last = failure;
    if (freed > 0) {
      LOG.warn("Building template {} ran out of disk space {} ({}); dropped old templates nobody uses for {} MB and "
          + "building it again", name, space.where(), OutOfSpace.message(failure), megabytes(freed));
      try {
        return builder.ensureReady(template, hash, lineage, deadline);
      } catch (SQLException | RuntimeException e) {
        if (!OutOfSpace.is(e)) {
          throw e instanceof RuntimeException r ? r : new TemplateBuildException("Could not build template " + name
              + " (" + template.describe() + ") on " + serverDescription + ": " + e.getMessage(), e);
        }
        last = e;
      }
    }
    throw new TemplateBuildException("Could not build template " + name + " (" + template.describe() + ") on "
        + serverDescription + ": out of disk space " + space.where() + ": " + OutOfSpace.message(last) + ". "
        + (freed > 0 ? "Dropping the old templates nobody uses freed " + megabytes(freed) + " MB, not enough. "
            : "No old template could be dropped to make room (none is unused). ")
        + space.whatToChange(), last);
  }

  /**
   * The disk is full: drops every template nobody uses but this JVM's own ones (see
   * {@link SpaceVictims}); the bytes freed. For the coordinator's pools too, which run in this JVM.
   */
  public long freeSpace() {
    try {
      return collector.collectForSpace(ready.keySet()).bytesFreed();
    } catch (SQLException | RuntimeException e) {
      LOG.warn("Could not drop old templates to make room on the full disk", e);
      return 0;
    }
  }

  private static long megabytes(long bytes) {
    return (bytes + (1 << 19)) >> 20;
  }

  /** Stops collecting, then gives up this JVM's uses of its templates. */
  @Override
  public void close() {
    collector.close();
    uses.close();
  }
}
