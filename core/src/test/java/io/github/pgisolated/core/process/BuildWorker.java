package io.github.pgisolated.core.process;

import io.github.pgisolated.core.DatabaseLease;
import io.github.pgisolated.core.PgIsolatedConfig;
import io.github.pgisolated.core.PgIsolatedPool;
import io.github.pgisolated.core.TemplateDefinition;
import java.nio.file.Path;

/**
 * A test JVM that needs a template built by {@link BlockingFailingInitializer}, run as a child
 * process. Argument: {@code <hash-input>}; {@code -Dworker.runs-file}, {@code -Dworker.go-file}
 * and {@code -Dworker.fail} configure the initializer. Prints {@code LEASED <database>}, or
 * {@code FAILED <exception class> <message>} with the message's line breaks shown as {@code " | "}.
 */
public final class BuildWorker {
  private BuildWorker() {}

  static TemplateDefinition template(String hashInput) {
    return TemplateDefinition.builder().initializer(BlockingFailingInitializer.class).hashInput(hashInput).build();
  }

  public static void main(String[] args) {
    String runs = System.getProperty("worker.runs-file");
    String go = System.getProperty("worker.go-file");
    BlockingFailingInitializer.runsFile = runs == null ? null : Path.of(runs);
    BlockingFailingInitializer.goFile = go == null ? null : Path.of(go);
    BlockingFailingInitializer.fail = Boolean.parseBoolean(System.getProperty("worker.fail", "true"));
    try (PgIsolatedPool pool = PgIsolatedPool.start(PgIsolatedConfig.fromSystem())) {
      System.out.println("STARTED");
      try (DatabaseLease lease = pool.lease(template(args[0]))) {
        System.out.println("LEASED " + lease.database().databaseName());
      } catch (RuntimeException e) {
        System.out.println("FAILED " + e.getClass().getSimpleName() + " " + String.valueOf(e.getMessage())
            .replace("\n", " | "));
      }
    }
  }
}
