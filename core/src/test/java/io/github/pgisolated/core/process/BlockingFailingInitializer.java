package io.github.pgisolated.core.process;

import io.github.pgisolated.core.TemplateInitializer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * A template initializer that proves how often it ran, and fails when told to: it counts its runs
 * (in this JVM, and in a file shared by several JVMs), waits for a go file so that a test can line
 * up other JVMs behind the build, then runs a statement with a typo.
 */
public class BlockingFailingInitializer implements TemplateInitializer {
  public static final AtomicInteger RUNS = new AtomicInteger();
  /** Gets a line per run, from any JVM; none when null. */
  public static volatile Path runsFile;
  /** The initializer waits (at most 2 minutes) until this file exists; no wait when null. */
  public static volatile Path goFile;
  public static volatile boolean fail = true;

  @Override
  public void initialize(DataSource template) throws Exception {
    RUNS.incrementAndGet();
    Path runs = runsFile;
    if (runs != null) {
      Files.writeString(runs, ProcessHandle.current().pid() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    }
    Path go = goFile;
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (go != null && !Files.exists(go) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    try (Connection c = template.getConnection(); Statement s = c.createStatement()) {
      s.execute(fail ? "create tabel broken (id int)" : "create table fine (id int)");
    }
  }

  /** Back to failing at once, counting from zero. */
  public static void reset() {
    RUNS.set(0);
    runsFile = null;
    goFile = null;
    fail = true;
  }
}
