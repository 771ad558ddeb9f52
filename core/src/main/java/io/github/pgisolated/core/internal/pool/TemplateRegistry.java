package io.github.pgisolated.core.internal.pool;

import io.github.pgisolated.core.PgIsolatedException;
import io.github.pgisolated.core.TemplateBuildException;
import io.github.pgisolated.core.TemplateDefinition;
import io.github.pgisolated.core.UnableToLeaseDatabaseException;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 */
final class TemplateRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(TemplateRegistry.class);

  private final TemplateBuilder builder;
  private final String serverDescription;
  private final RunReport report;
  private final Map<String, CompletableFuture<Void>> ready = new ConcurrentHashMap<>();

  TemplateRegistry(TemplateBuilder builder, String serverDescription, RunReport report) {
    this.report = report;
    this.builder = builder;
    this.serverDescription = serverDescription;
  }

  /** Returns once the template is finished; builds it if this is the first thread to need it. */
  void ensureReady(TemplateDefinition template, String hash, long deadlineNanos) {
    CompletableFuture<Void> future = ready.get(hash);
    if (future == null) {
      CompletableFuture<Void> mine = new CompletableFuture<>();
      future = ready.putIfAbsent(hash, mine);
      if (future == null) {
        future = mine;
        build(template, hash, mine, deadlineNanos);
      }
    }
    if (future.isDone() && !future.isCompletedExceptionally()) {
      return;
    }
    try {
      future.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
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

  private void build(TemplateDefinition template, String hash, CompletableFuture<Void> result, long deadline) {
    try {
      TemplateBuilder.Outcome outcome = builder.ensureReady(template, hash, deadline);
      if (outcome.built()) {
        report.builds().add(outcome.millis() * 1_000_000);
      } else {
        report.templateReused();
        LOG.info("Reusing template {} ({}), checked in {} ms", DatabaseNames.template(hash), template.describe(),
            outcome.millis());
      }
      result.complete(null);
    } catch (SQLException e) {
      result.completeExceptionally(new TemplateBuildException("Could not build template "
          + DatabaseNames.template(hash) + " (" + template.describe() + ") on " + serverDescription + ": "
          + e.getMessage(), e));
    } catch (RuntimeException | Error e) {
      result.completeExceptionally(e);
    }
  }
}
