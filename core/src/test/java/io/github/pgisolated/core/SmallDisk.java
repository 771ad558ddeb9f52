package io.github.pgisolated.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.pgisolated.core.internal.embedded.BinaryCache;
import io.github.pgisolated.core.internal.embedded.EmbeddedPostgres;
import io.github.pgisolated.core.internal.engine.Servers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A tmpfs of a few MB the test mounts itself, with an embedded server of its own on it, for
 * running out of disk for real. Mounting needs root: {@link #mount} skips the test (an assumption)
 * otherwise; CI runs as root, so there it runs. {@link #close} stops the server, then unmounts.
 */
public final class SmallDisk implements AutoCloseable {
  private final Path mountPoint;
  private final Path coordinators;

  private SmallDisk(Path mountPoint, Path coordinators) {
    this.mountPoint = mountPoint;
    this.coordinators = coordinators;
  }

  /** Mounts a tmpfs of {@code megabytes} MB, or skips the test when that can't be done. */
  public static SmallDisk mount(int megabytes) throws IOException, InterruptedException {
    assumeTrue("0".equals(run("id", "-u").strip()), "mounting a tmpfs needs root");
    Path mountPoint = Files.createTempDirectory("pgisolated-small-disk");
    Path coordinators = Files.createTempDirectory("pgisolated-small-disk-coordinator");
    String out = run("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m,mode=0755", "tmpfs", mountPoint.toString());
    SmallDisk disk = new SmallDisk(mountPoint, coordinators);
    if (!disk.isMounted()) {
      BinaryCache.deleteRecursively(mountPoint);
      BinaryCache.deleteRecursively(coordinators);
      assumeTrue(false, "could not mount a tmpfs on " + mountPoint + ": " + out);
    }
    return disk;
  }

  /** The embedded server's data directory, on this disk. */
  public Path dataDirectory() {
    return mountPoint.resolve("data");
  }

  /**
   * The configuration of a pool whose embedded server keeps its data here, with a coordinator
   * directory of its own (off this disk), no refill, no idle shutdown, and every database recreated
 * after its test.
   */
  public Map<String, String> settings() {
    Map<String, String> properties = new HashMap<>();
    properties.put("pgisolated.postgres", "embedded");
    properties.put("pgisolated.embedded.data-directory", dataDirectory().toString());
    properties.put("pgisolated.coordinator.directory", coordinators.toString());
    properties.put("pgisolated.pool.refill", "false");
    // No idle watchdog: it runs from a script on this disk, and would keep it busy (umount fails)
    // for up to its poll interval after the server stopped. close() stops the server.
    properties.put("pgisolated.embedded.idle-shutdown", "0");
    properties.put("pgisolated.reset", "recreate");
    return properties;
  }

  /** Stops the server of this disk, then unmounts it. */
  @Override
  public void close() throws IOException {
    try {
      EmbeddedPostgres.stop(Servers.embeddedSettings(TestPostgres.config(settings())));
      // The server's last processes may take a moment to exit after pg_ctl stop returned.
      String out = "";
      for (int i = 0; i < 50 && isMounted(); i++) {
        out = run("umount", mountPoint.toString());
        if (isMounted()) {
          TimeUnit.MILLISECONDS.sleep(200);
        }
      }
      assertThat(isMounted()).as("umount " + mountPoint + ": " + out).isFalse();
    } catch (InterruptedException e) {
      // AutoCloseable.close should not throw it (javac's lint says so): the flag keeps it.
      Thread.currentThread().interrupt();
    } finally {
      if (!isMounted()) {
        BinaryCache.deleteRecursively(mountPoint);
      }
      BinaryCache.deleteRecursively(coordinators);
    }
  }

  private boolean isMounted() throws IOException {
    return Files.readAllLines(Path.of("/proc/self/mounts")).stream()
        .anyMatch(line -> line.split(" ")[1].equals(mountPoint.toString()));
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    process.waitFor(30, TimeUnit.SECONDS);
    return out;
  }
}
