package io.github.pgisolated.core.internal.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A second JVM for tests: started with this test classpath, it starts a server or extracts
 * binaries, prints one result line and exits. With a "go" file argument it first signals that it
 * is ready and waits for the file, so that several children act at the same moment.
 *
 * <pre>
 *   start   &lt;base&gt; &lt;data&gt; &lt;idle seconds&gt; [go file]  prints PORT=.. PID=.. MILLIS=..
 *   extract &lt;base&gt; [go file]                      prints EXTRACTED or REUSED
 * </pre>
 */
public final class ChildJvm {

  private ChildJvm() {}

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "start" -> {
        EmbeddedSettings settings = EmbeddedSettings.defaults()
            .withBaseDirectory(Path.of(args[1]))
            .withDataDirectory(Path.of(args[2]))
            .withIdleShutdown(Duration.ofSeconds(Long.parseLong(args[3])));
        awaitGo(args, 4);
        long began = System.nanoTime();
        EmbeddedServer server = EmbeddedPostgres.start(settings);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
        System.out.println("PORT=" + server.endpoint().port() + " PID=" + server.postmasterPid()
            + " MILLIS=" + millis);
        // Exit without close(): the shutdown hook must unregister, the server must stay up.
      }
      case "extract" -> {
        Path base = Path.of(args[1]);
        awaitGo(args, 2);
        Platform platform = Platform.current();
        BinaryArchives archives = BinaryArchives.forThisJvm(platform, base);
        BinaryCache.Installation installation = BinaryCache.install(base, platform,
            EmbeddedSettings.DEFAULT_VERSION, () -> archives.open(EmbeddedSettings.DEFAULT_VERSION));
        System.out.println(installation.extractedMillis() > 0 ? "EXTRACTED" : "REUSED");
      }
      default -> throw new IllegalArgumentException(args[0]);
    }
    System.out.flush();
  }

  private static void awaitGo(String[] args, int index) throws InterruptedException, IOException {
    if (args.length <= index) {
      return;
    }
    Path go = Path.of(args[index]);
    Files.writeString(go.resolveSibling("ready-" + ProcessHandle.current().pid()), "ready");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.exists(go)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no go file " + go);
      }
      Thread.sleep(5);
    }
  }

  /** Starts a child JVM running {@link #main} with {@code args}. */
  static Process launch(Path output, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
        ChildJvm.class.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(output.toFile()).start();
  }

  /** Waits for a child to exit successfully and returns its output. */
  static String await(Process process, Path output) throws Exception {
    boolean exited = process.waitFor(90, TimeUnit.SECONDS);
    String text = Files.readString(output, StandardCharsets.UTF_8);
    if (!exited) {
      process.destroyForcibly();
      throw new AssertionError("child JVM did not exit in 90 s:\n" + text);
    }
    if (process.exitValue() != 0) {
      throw new AssertionError("child JVM failed with " + process.exitValue() + ":\n" + text);
    }
    return text;
  }

  /** The value of {@code KEY=} on the result line. */
  static String value(String output, String key) {
    for (String line : output.split("\n")) {
      for (String part : line.trim().split(" ")) {
        if (part.startsWith(key + "=")) {
          return part.substring(key.length() + 1);
        }
      }
    }
    throw new AssertionError("no " + key + "= in:\n" + output);
  }
}
