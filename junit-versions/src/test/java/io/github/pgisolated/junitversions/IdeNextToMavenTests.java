package io.github.pgisolated.junitversions;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * An IDE running one test class (one JVM, the console launcher, no Maven) next to a build in
 * another process: both use one pool, with the build's JVM as coordinator, and no configuration.
 * Both are real child JVMs; they find each other through the coordinator directory, as any two
 * JVMs of one user on one machine do.
 */
class IdeNextToMavenTests {

  @Test
  void anIdeRunNextToARunningBuildLeasesFromTheBuildsCoordinator() throws Exception {
    Path dir = Files.createTempDirectory("pgisolated-ide");
    Path release = dir.resolve("release");
    try (ConsoleLauncher build = ConsoleLauncher.start(VersionTestCases.LongBuild.class, dir.resolve("build.log"),
        "pgisolatedtest.release-file=" + release)) {
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (!build.output().contains("LEASED pgisolated_")) {
        assertThat(System.nanoTime()).as("the build JVM took no database: " + build.output()).isLessThan(deadline);
        Thread.sleep(100);
      }
      int ideExit;
      String ideLog;
      long idePid;
      try (ConsoleLauncher ide = ConsoleLauncher.start(VersionTestCases.OneClassInAnIde.class, dir.resolve("ide.log"))) {
        ideExit = ide.waitFor(120);
        ideLog = ide.output();
        idePid = ide.pid();
      }
      Files.createFile(release);
      int buildExit = build.waitFor(120);
      String buildLog = build.output();

      assertThat(ideExit).as(ideLog).isZero();
      assertThat(ideLog).contains("2 tests successful");
      // The IDE's JVM leased through the build's coordinator: its report says it is not the coordinator.
      assertThat(ideLog).contains("pgisolated run report for JVM " + idePid + ":")
          .doesNotContain("JVM " + idePid + ", the coordinator");
      assertThat(ideLog).contains("templates: none built, 1 reused");
      assertThat(buildExit).as(buildLog).isZero();
      assertThat(buildLog).contains("pgisolated run report for JVM " + build.pid() + ", the coordinator:");
    } finally {
      try (var files = Files.list(dir)) {
        for (Path file : files.toList()) {
          Files.deleteIfExists(file);
        }
      }
      Files.deleteIfExists(dir);
    }
  }
}
