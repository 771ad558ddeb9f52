package io.github.pgisolated.core.internal.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JVM's half of the stop handshake; the watchdog's half runs in EmbeddedPostgresTests. */
class IdleWatchdogTests {

  @TempDir
  Path temp;

  @Test
  void aStoppingMarkerLeftByADeadWatchdogIsRemovedAtOnce() throws Exception {
    ClusterLayout layout = layout();
    Process exited = new ProcessBuilder("true").start();
    exited.waitFor(10, TimeUnit.SECONDS);
    Files.writeString(layout.stoppingMarker(), exited.pid() + "\n");

    long began = System.nanoTime();
    IdleWatchdog.awaitDecision(layout, Duration.ofSeconds(30));

    assertThat(layout.stoppingMarker()).doesNotExist();
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began)).isLessThan(5_000);
  }

  @Test
  void aJvmArrivingWhileTheWatchdogDecidesWaitsForTheDecision() throws Exception {
    ClusterLayout layout = layout();
    Process watchdog = new ProcessBuilder("sleep", "60").start();
    try {
      Files.writeString(layout.stoppingMarker(), watchdog.pid() + "\n");
      CompletableFuture<Void> decided = CompletableFuture.runAsync(() ->
          IdleWatchdog.awaitDecision(layout, Duration.ofSeconds(30)));

      assertThatThrownBy(() -> decided.get(300, TimeUnit.MILLISECONDS))
          .as("waits while the live watchdog's marker is there")
          .isInstanceOf(TimeoutException.class);
      Files.delete(layout.stoppingMarker());

      decided.get(10, TimeUnit.SECONDS);
    } finally {
      watchdog.destroy();
    }
  }

  private ClusterLayout layout() throws Exception {
    ClusterLayout layout = ClusterLayout.of(temp.resolve("data"));
    Files.createDirectories(layout.controlDirectory());
    return layout;
  }
}
