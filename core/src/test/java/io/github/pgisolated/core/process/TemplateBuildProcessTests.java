package io.github.pgisolated.core.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.core.PgIsolatedPool;
import io.github.pgisolated.core.TestPostgres;
import io.github.pgisolated.core.internal.engine.PoolEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A template build that fails, across real JVMs: it runs once, in the JVM that claimed it, and
 * every JVM that waited for it gets its error; the next run builds it again.
 */
class TemplateBuildProcessTests {
  private static final Pattern STARTED = Pattern.compile("STARTED");
  private static final Pattern OUTCOME = Pattern.compile("(LEASED|FAILED) (.*)");
  private static final Duration START = Duration.ofSeconds(60);

  @TempDir
  Path directory;
  private String hashInput;
  private final List<ChildJvm> children = new ArrayList<>();
  private PgIsolatedPool observer;

  @BeforeEach
  void freshTemplate() {
    hashInput = "build-" + UUID.randomUUID();
    observer = PgIsolatedPool.start(TestPostgres.config(Map.of("pgisolated.coordinator", "none")));
  }

  @AfterEach
  void killChildrenAndDropTheTemplate() throws Exception {
    for (ChildJvm child : children) {
      child.close();
    }
    try {
      TestPostgres.dropDatabasesOf(observer, List.of(((PoolEngine) observer).templateHash(BuildWorker.template(hashInput))));
    } finally {
      observer.close();
    }
  }

  private ChildJvm start(String name, Map<String, String> extra) throws Exception {
    Map<String, String> config = new HashMap<>();
    config.put("pgisolated.coordinator.directory", directory.resolve("coordinator").toString());
    config.put("pgisolated.pool.initial-size", "1");
    config.put("worker.runs-file", directory.resolve("runs").toString());
    config.put("worker.go-file", directory.resolve("go").toString());
    config.putAll(extra);
    ChildJvm child = ChildJvm.start(name, BuildWorker.class, config, directory.resolve(name + ".log"), hashInput);
    children.add(child);
    return child;
  }

  private long runs() throws Exception {
    Path runs = directory.resolve("runs");
    return Files.exists(runs) ? Files.readAllLines(runs).size() : 0;
  }

  private void awaitLog(String name, String text) throws Exception {
    Path log = directory.resolve(name + ".log");
    long deadline = System.nanoTime() + START.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readString(log).contains(text)) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError(name + " never logged '" + text + "'; its log: " + Files.readString(log));
  }

  @Test
  void aFailedBuildReachesEveryJvmThatWaitedForItAndRunsOnce() throws Exception {
    ChildJvm builder = start("builder", Map.of());
    builder.await(STARTED, START);
    long deadline = System.nanoTime() + START.toNanos();
    while (runs() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(runs()).as("builds started").isEqualTo(1);
    // The build now holds the template's claim, blocked until the go file exists.
    ChildJvm first = start("waiter-1", Map.of());
    ChildJvm second = start("waiter-2", Map.of());
    awaitLog("waiter-1", "which another JVM or pool is building");
    awaitLog("waiter-2", "which another JVM or pool is building");
    Files.createFile(directory.resolve("go"));

    String own = builder.await(OUTCOME, START).group(0);
    assertThat(own).startsWith("FAILED TemplateBuildException Template initializer "
        + BlockingFailingInitializer.class.getName() + " failed: ").contains("syntax error at or near \"tabel\"");
    for (ChildJvm waiter : List.of(first, second)) {
      assertThat(waiter.await(OUTCOME, START).group(0))
          .as("what %s got", waiter)
          .startsWith("FAILED TemplateBuildException Template pgisolated_")
          .contains("failed to build in another JVM or pool on ")
          .contains("which this one waited for; it is not built again in this run (the next run builds it again)")
          .contains("Template initializer " + BlockingFailingInitializer.class.getName() + " failed: ")
          .contains("syntax error at or near \"tabel\"");
      assertThat(waiter.waitFor(START)).isZero();
    }
    assertThat(builder.waitFor(START)).isZero();
    assertThat(runs()).as("builds across the three JVMs").isEqualTo(1);

    // The next run did not wait for anyone: it drops the failed template and builds it again.
    ChildJvm next = start("next-run", Map.of("worker.fail", "false"));
    assertThat(next.await(OUTCOME, START).group(1)).as("next run: %s", next.output()).isEqualTo("LEASED");
    assertThat(next.waitFor(START)).isZero();
    assertThat(runs()).isEqualTo(2);
    assertThat(Files.readString(directory.resolve("next-run.log")))
        .contains("failed to build in an earlier run; dropping it and building it again");
  }
}
