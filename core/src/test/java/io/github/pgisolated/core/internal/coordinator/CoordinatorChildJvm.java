package io.github.pgisolated.core.internal.coordinator;

import io.github.pgisolated.core.internal.coordinator.LeaseService.Holder;
import io.github.pgisolated.core.internal.coordinator.LeaseService.Lease;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A second JVM for the transport tests, started with this test classpath. It does one thing,
 * prints one line saying so, and then sleeps until it is killed (at most five minutes):
 *
 * <pre>
 *   lease &lt;base&gt; &lt;target&gt;   leases through the socket; prints LEASED &lt;database&gt;
 *   elect &lt;base&gt; &lt;target&gt;   tries the election; prints WON or LOST
 * </pre>
 */
public final class CoordinatorChildJvm {

  private CoordinatorChildJvm() {}

  public static void main(String[] args) throws Exception {
    CoordinatorDirectory directory = CoordinatorDirectory.forTarget(Path.of(args[1]), args[2]);
    switch (args[0]) {
      case "lease" -> {
        LeaseSocketClient client = new LeaseSocketClient(directory);
        Lease lease = client.lease(FakeLeaseService.HASH, Duration.ofSeconds(30),
            new Holder(ProcessHandle.current().pid(), "child jvm"));
        System.out.println("LEASED " + lease.database());
      }
      case "elect" -> {
        boolean won = Election.tryBecomeCoordinator(directory) instanceof Election.Won;
        System.out.println(won ? "WON" : "LOST");
      }
      default -> throw new IllegalArgumentException(args[0]);
    }
    System.out.flush();
    Thread.sleep(TimeUnit.MINUTES.toMillis(5));
  }

  /** A running child and the lines it printed so far. */
  static final class Child implements AutoCloseable {
    final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuilder output = new StringBuilder();

    private Child(Process process) {
      this.process = process;
      Thread reader = new Thread(this::read, "child-jvm-output-" + process.pid());
      reader.setDaemon(true);
      reader.start();
    }

    static Child start(String... args) throws IOException {
      List<String> command = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"),
          "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
          CoordinatorChildJvm.class.getName()));
      command.addAll(List.of(args));
      return new Child(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    /** Waits for a line starting with {@code prefix} and returns it. */
    String awaitLine(String prefix) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (true) {
        String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (line == null) {
          throw new AssertionError("The child JVM printed no line starting with " + prefix
              + " within 60 s (alive: " + process.isAlive() + "):\n" + output());
        }
        if (line.startsWith(prefix)) {
          return line;
        }
      }
    }

    /** SIGKILL, and waits until the process is gone. */
    void kill() throws InterruptedException {
      process.destroyForcibly();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new AssertionError("The child JVM did not die within 30 s of SIGKILL");
      }
    }

    synchronized String output() {
      return output.toString();
    }

    private void read() {
      try (BufferedReader reader = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = reader.readLine()) != null; ) {
          synchronized (this) {
            output.append(line).append('\n');
          }
          lines.add(line);
        }
      } catch (IOException e) {
        // The process is gone.
      }
    }

    @Override
    public void close() {
      if (process.isAlive()) {
        try {
          kill();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
