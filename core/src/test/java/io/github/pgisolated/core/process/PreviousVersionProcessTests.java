package io.github.pgisolated.core.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.pgisolated.core.PgIsolatedPool;
import io.github.pgisolated.core.TemplateDefinition;
import io.github.pgisolated.core.TestPostgres;
import io.github.pgisolated.core.internal.embedded.BinaryCache;
import io.github.pgisolated.core.internal.engine.PoolEngine;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two pgisolated versions on one server: this build's and a real earlier one, compiled from this
 * repository's history, the last commit whose coordinators spoke compatibility 2 (this build speaks
 * 3). They must keep to pools of their own (one coordinator each), lease side by side without ever
 * putting a database in two tests, and neither's collector may drop what the other uses, even when
 * told to drop every template not used for a second.
 */
class PreviousVersionProcessTests {
  /** The parent of the commit that bumped the compatibility to 3 (reset in place, new markers). */
  private static final String PREVIOUS_VERSION = "c95461537e7a486e96a60d6cbe6d88cba61b5b6b";
  private static final Pattern LEASED = Pattern.compile("LEASED (\\S+) \\S+");
  private static final Pattern DONE = Pattern.compile("DONE leases=(\\d+) violations=(\\d+) .*");
  private static final Duration WAIT = Duration.ofSeconds(120);

  private static Path previousBuild;

  @TempDir
  Path directory;
  private final List<ChildJvm> children = new ArrayList<>();
  private PgIsolatedPool observer;

  @BeforeAll
  static void compileThePreviousVersion() throws Exception {
    Path repository = Path.of("").toAbsolutePath().getParent();
    assumeTrue(run(repository, "git", "cat-file", "-e", PREVIOUS_VERSION + "^{commit}") == 0,
        "this clone has no history (shallow): the previous version cannot be built");
    previousBuild = Files.createTempDirectory("pgisolated-previous-version");
    Path sources = previousBuild.resolve("src");
    Path classes = previousBuild.resolve("classes");
    Files.createDirectories(sources);
    Path archive = previousBuild.resolve("core.tar");
    assertThat(run(repository, "git", "archive", "-o", archive.toString(), PREVIOUS_VERSION, "core/src/main")).isZero();
    assertThat(run(sources, "tar", "-xf", archive.toString())).isZero();
    List<String> javaFiles;
    try (Stream<Path> files = Files.walk(sources.resolve("core/src/main/java"))) {
      javaFiles = files.filter(f -> f.toString().endsWith(".java")).map(Path::toString).toList();
    }
    List<String> arguments = new ArrayList<>(List.of("--release", "17", "-nowarn", "-proc:none", "-d", classes.toString(),
        "-cp", dependencies()));
    arguments.addAll(javaFiles);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertThat(javac.run(null, null, null, arguments.toArray(String[]::new))).as("javac of the previous version").isZero();
    copyTree(sources.resolve("core/src/main/resources"), classes);
  }

  @AfterAll
  static void deleteThePreviousVersion() {
    if (previousBuild != null) {
      BinaryCache.deleteRecursively(previousBuild);
    }
  }

  @AfterEach
  void killChildren() {
    children.forEach(ChildJvm::close);
    if (observer != null) {
      observer.close();
    }
  }

  @Test
  void twoVersionsOnOneServerKeepTheirOwnPoolsAndNeitherCollectorDropsWhatTheOtherUses() throws Exception {
    observer = PgIsolatedPool.start(TestPostgres.config(Map.of("pgisolated.coordinator", "none")));
    Path dataDirectory = ((PoolEngine) observer).dataDirectory().orElseThrow();
    String hashInput = "two-versions-" + UUID.randomUUID();
    Path stop = directory.resolve("stop");
    Map<String, String> config = new HashMap<>();
    config.put("pgisolated.embedded.data-directory", dataDirectory.toString());
    config.put("pgisolated.coordinator.directory", directory.resolve("coordinator").toString());
    config.put("pgisolated.pool.initial-size", "2");
    config.put("pgisolated.lease-timeout", "60s");
    // Every template unused for a second is the collector's: only being in use protects one.
    config.put("pgisolated.template.max-age", "1s");
    config.put("worker.stop-at", stop.toString());
    config.put("org.slf4j.simpleLogger.defaultLogLevel", "info");
    config.put("org.slf4j.simpleLogger.log.io.github.pgisolated.core.internal.template.TemplateCollector", "debug");

    ChildJvm current = ChildJvm.start("current", LeaseWorker.class, config, directory.resolve("current.log"),
        hashInput, "0", "10", "1");
    children.add(current);
    current.awaitLeases(10, WAIT);
    // The same template definition on the previous version: its collector runs once its template is ready.
    ChildJvm previous = ChildJvm.start("previous", LeaseWorker.class, config, previousClassPath(),
        directory.resolve("previous.log"), hashInput, "0", "10", "1");
    children.add(previous);
    previous.awaitLeases(10, WAIT);
    // Both templates were last used when their JVM started; past max-age they are candidates, so
    // the collection below must find them and leave them because they are in use.
    Thread.sleep(1500);
    // A third JVM, of this version, with a template of its own: it collects after its template is ready,
    // while both others lease.
    ChildJvm collector = ChildJvm.start("collector", LeaseWorker.class, config, directory.resolve("collector.log"),
        hashInput + "-other", "5", "0", "1");
    children.add(collector);
    assertThat(collector.await(DONE, WAIT).group(2)).as("collector's violations").isEqualTo("0");
    int currentBefore = current.leases();
    int previousBefore = previous.leases();
    current.awaitLeases(currentBefore + 10, WAIT);
    previous.awaitLeases(previousBefore + 10, WAIT);
    Files.createFile(stop);

    Matcher currentDone = current.await(DONE, WAIT);
    Matcher previousDone = previous.await(DONE, WAIT);
    assertThat(current.waitFor(WAIT)).as("current's exit code").isZero();
    assertThat(previous.waitFor(WAIT)).as("previous's exit code").isZero();
    assertThat(currentDone.group(2)).as("violations and failures of this version").isEqualTo("0");
    assertThat(previousDone.group(2)).as("violations and failures of the previous version").isEqualTo("0");
    // Separate pools: each version elected a coordinator of its own, and no clone was leased by both.
    assertThat(current.output()).contains("STARTED coordinator=true");
    assertThat(previous.output()).contains("STARTED coordinator=true");
    assertThat(leasedDatabases(current)).doesNotContainAnyElementsOf(leasedDatabases(previous));
    // The collectors looked at the other version's databases and left them: they were in use.
    String collectorLog = Files.readString(directory.resolve("collector.log"));
    String currentTemplate = "pgisolated_" + ((PoolEngine) observer).templateHash(template(hashInput)) + "_tpl";
    // Each version names its templates by its own hash format: two templates, one per version.
    String previousTemplate = leasedDatabases(previous).get(0).replaceAll("_\\d+$", "_tpl");
    assertThat(previousTemplate).isNotEqualTo(currentTemplate);
    assertThat(collectorLog).contains("Not collecting " + currentTemplate);
    // The previous version's template is a candidate only when its marker tells a last use this version
    // reads; either way it must still be there, with the clones its JVM used.
    assertThat(TestPostgres.databaseExists(observer, previousTemplate)).as("the previous version's template").isTrue();
    // The previous version does not read this version's ready markers: to it, this version's clones
    // look like clones whose template is gone, and only their claims keep it from dropping them.
    String currentHash = ((PoolEngine) observer).templateHash(template(hashInput));
    assertThat(Files.readString(directory.resolve("previous.log")))
        .containsPattern("Not collecting \\S+: pgisolated_" + currentHash + "_\\d+ is claimed \\(in use\\)");
  }

  private static TemplateDefinition template(String hashInput) {
    return TemplateDefinition.builder().scripts("db/ledger.sql").hashInput(hashInput).build();
  }

  private static List<String> leasedDatabases(ChildJvm child) {
    return child.output().stream().map(LEASED::matcher).filter(Matcher::matches).map(m -> m.group(1)).distinct().toList();
  }

  /** The previous version's classes, this build's test classes (the worker, the scripts) and the shared libraries. */
  private static String previousClassPath() {
    List<String> path = new ArrayList<>();
    path.add(previousBuild.resolve("classes").toString());
    Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !entry.endsWith(File.separator + "classes") || entry.endsWith("test-classes"))
        .forEach(path::add);
    return String.join(File.pathSeparator, path);
  }

  /** The libraries both versions use: every jar on this JVM's class path. */
  private static String dependencies() {
    return String.join(File.pathSeparator, Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> entry.endsWith(".jar")).toList());
  }

  private static int run(Path directory, String... command) throws IOException, InterruptedException {
    return new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : files.toList()) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target);
        }
      }
    }
  }
}
