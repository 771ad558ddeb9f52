package io.github.pgisolated.core.internal.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.github.pgisolated.core.internal.coordinator.LeaseService.Holder;
import io.github.pgisolated.core.internal.coordinator.LeaseService.Lease;
import java.io.IOException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of broken, rude and half-finished clients against one server, from four threads at
 * once. Afterwards the server must still serve, every lease it handed out must have come back
 * exactly once, and no database may have been out twice. The inputs come from a seeded {@link
 * Random}; the seed is printed, and {@code -Dpgisolated.fuzz.seed=<seed>} repeats them.
 */
class ProtocolFuzzTests {

  private static final int CASES = 4000;
  private static final int WORKERS = 4;
  private static final Duration BUDGET = Duration.ofSeconds(15);
  private static final Duration REQUEST_TIMEOUT = Duration.ofMillis(150);
  private static final String HASH = FakeLeaseService.HASH;
  private static final String[] NASTY_TOKENS = {"", "-1", "0", "3600001", "99999999999999999999",
      "ABCDEF0123456789", "0123456789abcdeF", "0123456789abcde", "0123456789abcdef0", "\u00e9",
      "\t", "\u0000", "\r", "x y", "pgisolated_0123456789abcdef_00001", "RETURN", "2", "01",
      "LEASE", "\u2028", "\uFEFF"};

  @TempDir
  Path temp;

  private final Map<Kind, AtomicInteger> counts = new ConcurrentHashMap<>();
  private final AtomicInteger leasedSeen = new AtomicInteger();
  private final List<String> failures = new CopyOnWriteArrayList<>();

  enum Kind {
    RANDOM_BYTES, TRUNCATED_LINE, OVERSIZED_LINE, BAD_ARGUMENT, OUT_OF_ORDER_AFTER_LEASED,
    GARBAGE_AFTER_LEASED, HALF_CLOSE_AFTER_LEASED, HALF_CLOSE_BEFORE_REQUEST,
    CLOSE_BEFORE_REPLY, FRAGMENTED_LEASE_AND_RETURN, RETURN_FIRST, STATUS, SILENT
  }

  @Test
  void theServerSurvivesThousandsOfBrokenClientsWithoutLeakingOrLeasingTwice() throws Exception {
    long seed = Long.getLong("pgisolated.fuzz.seed", System.nanoTime());
    System.out.println("ProtocolFuzzTests seed=" + seed
        + " (repeat with -Dpgisolated.fuzz.seed=" + seed + ")");
    try (TestCoordinator coordinator = TestCoordinator.start(temp, 3, REQUEST_TIMEOUT)) {
      long began = System.nanoTime();
      assertTimeoutPreemptively(BUDGET.plusSeconds(30), () -> {
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
          Random random = new Random(seed + w);
          Thread worker = new Thread(() -> fuzz(coordinator, random, seed, began), "fuzz-" + w);
          workers.add(worker);
          worker.start();
        }
        for (Thread worker : workers) {
          worker.join();
        }
      }, "the fuzz clients became deadlocked");
      System.out.println("ProtocolFuzzTests ran " + counts + " in "
          + Duration.ofNanos(System.nanoTime() - began).toMillis() + " ms");

      assertThat(failures).as("seed " + seed).isEmpty();
      coordinator.awaitIdle();
      FakeLeaseService service = coordinator.service;
      assertThat(service.violations()).as("seed " + seed).isEmpty();
      assertThat(service.outstanding()).as("leases never given back, seed " + seed).isZero();
      assertThat(service.givenBack()).as("every lease given back exactly once, seed " + seed)
          .hasSize(service.leased());
      assertThat(service.leased()).isGreaterThanOrEqualTo(leasedSeen.get());
      assertThat(leasedSeen.get()).as("the fuzz leased at all").isPositive();
      assertThat(coordinator.server.isServing()).isTrue();
      try (LeaseSocketClient client = new LeaseSocketClient(coordinator.directory)) {
        Lease lease = client.lease(HASH, Duration.ofSeconds(5), new Holder(1, "after the fuzz"));
        client.giveBack(lease);
      }
      assertThat(service.outstanding()).isZero();
    }
  }

  private void fuzz(TestCoordinator coordinator, Random random, long seed, long began) {
    for (int i = 0; i < CASES / WORKERS; i++) {
      if (System.nanoTime() - began > BUDGET.toNanos()) {
        return;
      }
      Kind kind = pick(random);
      counts.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
      try (RawConnection connection = coordinator.connect()) {
        run(kind, connection, random);
      } catch (Throwable e) {
        failures.add(kind + " (seed " + seed + ", " + Thread.currentThread().getName() + " case "
            + i + "): " + e);
      }
    }
  }

  private static Kind pick(Random random) {
    // SILENT costs the request deadline; keep it rare.
    return random.nextInt(60) == 0 ? Kind.SILENT
        : Kind.values()[random.nextInt(Kind.values().length - 1)];
  }

  private void run(Kind kind, RawConnection connection, Random random) throws Exception {
    switch (kind) {
      case RANDOM_BYTES -> {
        byte[] bytes = new byte[random.nextInt(1500)];
        random.nextBytes(bytes);
        if (bytes.length > 0 && random.nextBoolean()) {
          bytes[random.nextInt(bytes.length)] = '\n';
        }
        sendQuietly(connection, bytes);
        if (random.nextInt(4) == 0) {
          return; // gone without reading the answer
        }
        connection.shutdownOutput();
        expectErrorOrNothing(connection, "ERROR ");
      }
      case TRUNCATED_LINE -> {
        String line = validRequest(random);
        connection.send(line.substring(0, 1 + random.nextInt(line.length() - 1)));
        connection.shutdownOutput();
        expectErrorOrNothing(connection, "ERROR BAD_REQUEST the connection was closed in the "
            + "middle of a line");
      }
      case OVERSIZED_LINE -> {
        StringBuilder line = new StringBuilder(random.nextBoolean() ? "PGISOLATED 1 LEASE " : "");
        while (line.length() < 1025 + random.nextInt(3000)) {
          line.append((char) ('a' + random.nextInt(26)));
        }
        sendQuietly(connection, (line + "\n").getBytes(StandardCharsets.UTF_8));
        assertThat(connection.readLine()).startsWith("ERROR BAD_REQUEST line longer than 1024");
        assertThat(connection.isClosedByServer()).isTrue();
      }
      case BAD_ARGUMENT -> {
        String[] tokens = ("PGISOLATED 1 LEASE " + HASH + " 200 4711 fuzz").split(" ");
        tokens[random.nextInt(tokens.length)] = NASTY_TOKENS[random.nextInt(NASTY_TOKENS.length)];
        connection.send(String.join(" ", tokens) + "\n");
        String reply = connection.readLine();
        if (!isLeased(reply)) {
          assertThat(reply).matches("ERROR (BAD_REQUEST|UNSUPPORTED_VERSION|REFUSED|TIMEOUT) .+");
          assertThat(connection.isClosedByServer()).isTrue();
        } else {
          returnLease(connection); // the mutation happened to leave a valid request
        }
      }
      case OUT_OF_ORDER_AFTER_LEASED -> {
        if (lease(connection)) {
          String[] misplaced = {validRequest(random), "RETURNED", "LEASED " + HASH,
              "ERROR INTERNAL no", "return", "RETURN now", ""};
          connection.send(misplaced[random.nextInt(misplaced.length)] + "\n");
          assertThat(connection.readLine())
              .startsWith("ERROR BAD_REQUEST only RETURN [UNCHANGED|KEPT] is valid while a lease is held");
          assertThat(connection.isClosedByServer()).isTrue();
        }
      }
      case GARBAGE_AFTER_LEASED -> {
        if (lease(connection)) {
          byte[] garbage = new byte[1 + random.nextInt(2000)];
          random.nextBytes(garbage);
          sendQuietly(connection, garbage);
          if (random.nextBoolean()) {
            connection.shutdownOutput();
            expectErrorOrNothing(connection, "ERROR BAD_REQUEST ");
          }
        }
      }
      case HALF_CLOSE_AFTER_LEASED -> {
        if (lease(connection)) {
          connection.shutdownOutput();
          assertThat(connection.readLine()).as("closed silently").isNull();
        }
      }
      case HALF_CLOSE_BEFORE_REQUEST -> {
        connection.shutdownOutput();
        assertThat(connection.readLine()).as("closed silently").isNull();
      }
      case CLOSE_BEFORE_REPLY -> connection.send(validRequest(random) + "\n");
      case FRAGMENTED_LEASE_AND_RETURN -> {
        byte[] request = ("PGISOLATED 1 LEASE " + HASH + " 200 4711 fragmented \u00e9\n")
            .getBytes(StandardCharsets.UTF_8);
        for (int at = 0; at < request.length; ) {
          int length = Math.min(request.length - at, 1 + random.nextInt(8));
          connection.send(Arrays.copyOfRange(request, at, at + length));
          at += length;
          Thread.yield();
        }
        String reply = connection.readLine();
        if (isLeased(reply)) {
          returnLease(connection);
        } else {
          assertThat(reply).startsWith("ERROR TIMEOUT ");
        }
      }
      case RETURN_FIRST -> {
        connection.send("RETURN\n");
        assertThat(connection.readLine()).startsWith("ERROR BAD_REQUEST RETURN before LEASED");
      }
      case STATUS -> {
        connection.send("PGISOLATED 1 STATUS\n");
        assertThat(connection.readLine()).startsWith("STATUS protocol=1 ");
        assertThat(connection.readLine()).isNull();
      }
      case SILENT -> {
        assertThat(connection.readLine())
            .startsWith("ERROR BAD_REQUEST no complete request line within");
        assertThat(connection.readLine()).isNull();
      }
      default -> throw new AssertionError(kind);
    }
  }

  /** Sends a valid LEASE; true if leased, false if the pool timed out (4 clients, 3 clones). */
  private boolean lease(RawConnection connection) throws Exception {
    connection.send("PGISOLATED 1 LEASE " + HASH + " 200 4711 fuzz\n");
    String reply = connection.readLine();
    if (isLeased(reply)) {
      return true;
    }
    assertThat(reply).startsWith("ERROR TIMEOUT ");
    return false;
  }

  private boolean isLeased(String reply) {
    if (reply != null && reply.startsWith("LEASED " + HASH + " pgisolated_" + HASH + "_")) {
      leasedSeen.incrementAndGet();
      return true;
    }
    return false;
  }

  private static void returnLease(RawConnection connection) throws Exception {
    connection.send("RETURN\n");
    assertThat(connection.readLine()).isEqualTo("RETURNED");
    assertThat(connection.readLine()).isNull();
  }

  private static String validRequest(Random random) {
    return switch (random.nextInt(3)) {
      case 0 -> "PGISOLATED 1 LEASE " + HASH + " 200 4711 fuzz client";
      case 1 -> "PGISOLATED 1 RECLAIM pgisolated_" + HASH + "_0001 4711 fuzz client";
      default -> "PGISOLATED 1 STATUS";
    };
  }

  /** The reply, if any, starts with {@code expected}; then the connection is closed. */
  private static void expectErrorOrNothing(RawConnection connection, String expected)
      throws Exception {
    String reply;
    try {
      reply = connection.readLine();
    } catch (SocketException e) {
      assertThat(e.getMessage()).contains("reset");
      return;
    }
    if (reply != null) {
      assertThat(reply).startsWith(expected);
      assertThat(connection.isClosedByServer()).isTrue();
    }
  }

  /** Writes, ignoring a server that has already answered and closed. */
  private static void sendQuietly(RawConnection connection, byte[] bytes) {
    try {
      connection.send(bytes);
    } catch (IOException e) {
      // Broken pipe or reset: the server stopped reading, which it may.
    }
  }
}
