package io.github.pgisolated.core.internal.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SmokeScratchTests {
  @Test
  void smoke() throws Exception {
    Path dir = Files.createTempDirectory("pgi-smoke", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    EmbeddedSettings s = EmbeddedSettings.defaults().withBaseDirectory(dir.resolve("base")).withDataDirectory(dir.resolve("c/data")).withIdleShutdown(Duration.ZERO);
    try (EmbeddedServer server = EmbeddedPostgres.start(s)) {
      System.out.println(server.endpoint());
    }
    for (int i = 0; i < 3; i++) {
      long t = System.nanoTime();
      try (EmbeddedServer server = EmbeddedPostgres.start(s)) {
        System.out.println("warm " + (System.nanoTime() - t) / 1e6 + " " + server.postmasterPid());
      }
    }
    assertThat(EmbeddedPostgres.stop(s)).isTrue();
  }
}
