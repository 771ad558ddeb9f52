package io.github.pgisolated.core.internal.coordinator;

import static io.github.pgisolated.core.internal.coordinator.TestCoordinator.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.github.pgisolated.core.UnableToLeaseDatabaseException;
import io.github.pgisolated.core.internal.coordinator.LeaseService.Holder;
import io.github.pgisolated.core.internal.coordinator.LeaseService.Lease;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The client's side: error mapping, losing the coordinator, giving back. */
class LeaseSocketClientTests {

  private static final Duration GUARD = Duration.ofSeconds(30);
  private static final Holder HOLDER = new Holder(4711, "surefire fork 2 (pid 4711)");
  private static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "stub-deadlines");
        thread.setDaemon(true);
        return thread;
      });

  @TempDir
  Path temp;

  private TestCoordinator coordinator;

  @AfterEach
  void stop() {
    if (coordinator != null) {
      coordinator.close();
      assertThat(coordinator.service.violations()).isEmpty();
    }
  }

  /** {@code <LF>} stands for a line break: escaped on the wire, a real one in the message. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      ERROR TIMEOUT Timed out after 5 s.<LF>Raise the pool size. | UnableToLeaseDatabaseException  | Timed out after 5 s.<LF>Raise the pool size.
      ERROR REFUSED No template 0123456789abcdef.               | LeaseRefusedException           | No template 0123456789abcdef.
      ERROR BAD_REQUEST missing <holder-name>                   | LeaseRefusedException           | (BAD_REQUEST): missing <holder-name>
      ERROR FORBIDDEN this coordinator serves user jo only       | LeaseRefusedException           | (FORBIDDEN): this coordinator serves user jo only
      ERROR UNSUPPORTED_VERSION speaks protocol version 2 only  | LeaseRefusedException           | (UNSUPPORTED_VERSION): speaks protocol version 2 only
      ERROR UNAVAILABLE the coordinator is shutting down        | CoordinatorUnavailableException | (UNAVAILABLE): the coordinator is shutting down
      ERROR INTERNAL TemplateBuildException: syntax error       | UnableToLeaseDatabaseException  | (INTERNAL): TemplateBuildException: syntax error
      ERROR SHINY_NEW_CODE something                           | UnableToLeaseDatabaseException  | unknown error code "SHINY_NEW_CODE": something
      HELLO                                                     | UnableToLeaseDatabaseException  | answered "HELLO" when asked to lease a clone of template 0123456789abcdef, which is not a protocol 1 reply
      LEASED 0123456789abcdef pgisolated_0123456789abcdef_0000  | UnableToLeaseDatabaseException  | answered "LEASED 0123456789abcdef pgisolated_01234..." when
      LEASED ffffffffffffffff pgisolated_ffffffffffffffff_0000 1 | UnableToLeaseDatabaseException | which is not what was asked for; it is given back
      """)
  void eachReplyBecomesTheExceptionTheContractNames(String reply, String type, String message) {
    assertTimeoutPreemptively(GUARD, () -> {
      CoordinatorDirectory directory = CoordinatorDirectory.forTarget(temp, "stub");
      CompletableFuture<String> request = stub(directory, reply.replace("<LF>", "\\n"));
      try (LeaseSocketClient client = new LeaseSocketClient(directory)) {
        assertThatThrownBy(() -> client.lease(FakeLeaseService.HASH, Duration.ofSeconds(1), HOLDER))
            .satisfies(e -> assertThat(e.getClass().getSimpleName()).isEqualTo(type))
            .hasMessageContaining(message.replace("<LF>", "\n"));
      }
      assertThat(request.get(10, TimeUnit.SECONDS)).isEqualTo("PGISOLATED 1 LEASE "
          + FakeLeaseService.HASH + " 1000 4711 surefire fork 2 (pid 4711)");
    });
  }

  @Test
  void aCoordinatorThatClosesWithoutAnswerIsUnavailable() {
    assertTimeoutPreemptively(GUARD, () -> {
      CoordinatorDirectory directory = CoordinatorDirectory.forTarget(temp, "stub");
      stub(directory, null);
      try (LeaseSocketClient client = new LeaseSocketClient(directory)) {
        assertThatThrownBy(() -> client.lease(FakeLeaseService.HASH, Duration.ofSeconds(1), HOLDER))
            .isInstanceOf(CoordinatorUnavailableException.class)
            .hasMessageContaining("closed the connection before it answered when asked to lease "
                + "a clone of template 0123456789abcdef; it may have exited: elect a new one");
      }
    });
  }

  @Test
  void aCoordinatorThatDoesNotAnswerWithinTheTimeoutAndMarginIsUnavailable() {
    assertTimeoutPreemptively(GUARD, () -> {
      CoordinatorDirectory directory = CoordinatorDirectory.forTarget(temp, "stub");
      stub(directory, "");
      try (LeaseSocketClient client = new LeaseSocketClient(directory, Duration.ofMillis(100))) {
        assertThatThrownBy(() -> client.lease(FakeLeaseService.HASH, Duration.ofMillis(50), HOLDER))
            .isInstanceOf(CoordinatorUnavailableException.class)
            .hasMessageContaining("did not answer within 150 ms");
      }
    });
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(LeaseService.Disposition.class)
  void theCoordinatorHearsWhatBecameOfTheDatabase(LeaseService.Disposition disposition) {
    assertTimeoutPreemptively(GUARD, () -> {
      coordinator = TestCoordinator.start(temp, 1);
      try (LeaseSocketClient client = new LeaseSocketClient(coordinator.directory)) {
        LeaseService.Lease lease = client.lease(FakeLeaseService.HASH, Duration.ofSeconds(5), HOLDER);
        client.giveBack(lease, disposition);
        assertThat(coordinator.service.dispositions()).containsExactly(disposition);
        assertThat(coordinator.service.givenBack()).containsExactly(lease);
      }
    });
  }

  @Test
  void noSocketMeansNoCoordinator() {
    CoordinatorDirectory directory = CoordinatorDirectory.forTarget(temp, "nobody");
    try (LeaseSocketClient client = new LeaseSocketClient(directory)) {
      assertThatThrownBy(() -> client.lease(FakeLeaseService.HASH, Duration.ofSeconds(1), HOLDER))
          .isInstanceOf(CoordinatorUnavailableException.class)
          .hasMessageStartingWith("Could not reach the pgisolated coordinator at "
              + directory.socketFile());
    }
  }

  @Test
  void thePoolsTimeoutMessageArrivesIntact() {
    coordinator = TestCoordinator.start(temp, 1);
    assertTimeoutPreemptively(GUARD, () -> {
      try (LeaseSocketClient client = new LeaseSocketClient(coordinator.directory)) {
        client.lease(FakeLeaseService.HASH, Duration.ofSeconds(1), HOLDER);

        assertThatThrownBy(() -> client.lease(FakeLeaseService.HASH, Duration.ofMillis(30), HOLDER))
            .isInstanceOf(UnableToLeaseDatabaseException.class)
            .hasMessage("Timed out after 30 ms waiting for a database of template "
                + "0123456789abcdef (leased 1/1, 1 waiting).\n"
                + "Raise pgisolated.pool.max-size \\ or look for leaked leases.");
      }
    });
  }

  @Test
  void argumentsThatWouldBreakTheLineAreRefusedBeforeConnecting() {
    coordinator = TestCoordinator.start(temp, 1);
    try (LeaseSocketClient client = new LeaseSocketClient(coordinator.directory)) {
      assertThatThrownBy(() -> client.lease("0123456789abcdef\nRETURN", Duration.ofSeconds(1),
          HOLDER))
          .isInstanceOf(LeaseRefusedException.class)
          .hasMessageContaining("<template-hash> must be 16 lower-case hex digits");
      assertThatThrownBy(() -> client.reclaim("postgres", HOLDER))
          .isInstanceOf(LeaseRefusedException.class)
          .hasMessageContaining("<database> must look like pgisolated_<16 hex>_<4 digits>");
      assertThatThrownBy(() -> client.lease(FakeLeaseService.HASH, Duration.ofHours(2), HOLDER))
          .isInstanceOf(LeaseRefusedException.class)
          .hasMessageContaining("longer than the coordinator protocol allows (3600000 ms)");
    }
    assertThat(coordinator.service.leased()).isZero();
  }

  @Test
  void anUnprintableOrHugeHolderNameIsMadeSendable() {
    coordinator = TestCoordinator.start(temp, 1);
    assertTimeoutPreemptively(GUARD, () -> {
      try (LeaseSocketClient client = new LeaseSocketClient(coordinator.directory)) {
        Lease lease = client.lease(FakeLeaseService.HASH, Duration.ofSeconds(1),
            new Holder(1, "fork\n1\r\u0000 " + "é".repeat(2000)));
        client.giveBack(lease);
        Lease blank = client.lease(FakeLeaseService.HASH, Duration.ofSeconds(1), new Holder(1, " "));
        client.giveBack(blank);
      }
      assertThat(coordinator.service.givenBack()).hasSize(2);
    });
  }

  @Test
  void losingTheCoordinatorTellsTheListenerOfEveryHeldLease() {
    coordinator = TestCoordinator.start(temp, 3);
    assertTimeoutPreemptively(GUARD, () -> {
      List<Lease> lost = new CopyOnWriteArrayList<>();
      try (LeaseSocketClient client = new LeaseSocketClient(coordinator.directory)) {
        client.onLost(lost::add);
        Lease first = client.lease(FakeLeaseService.HASH, Duration.ofSeconds(1), HOLDER);
        Lease second = client.lease(FakeLeaseService.HASH, Duration.ofSeconds(1), HOLDER);
        Lease returned = client.lease(FakeLeaseService.HASH, Duration.ofSeconds(1), HOLDER);
        client.giveBack(returned);

        coordinator.server.close();

        await("both held leases are reported lost", () -> lost.size() == 2);
        assertThat(lost).containsExactlyInAnyOrder(first, second);
        assertThat(client.heldLeases()).isZero();
        client.giveBack(first); // stale: ignored, no exception
      }
    });
  }

  @Test
  void afterATakeoverTheLostLeaseIsReclaimedFromTheNewCoordinator() {
    coordinator = TestCoordinator.start(temp, 2);
    assertTimeoutPreemptively(GUARD, () -> {
      CompletableFuture<Lease> lost = new CompletableFuture<>();
      try (LeaseSocketClient client = new LeaseSocketClient(coordinator.directory)) {
        client.onLost(lost::complete);
        Lease lease = client.lease(FakeLeaseService.HASH, Duration.ofSeconds(1), HOLDER);

        coordinator.close();
        assertThat(lost.get(10, TimeUnit.SECONDS)).isEqualTo(lease);
        coordinator = TestCoordinator.start(temp, 2);
        Lease reclaimed = client.reclaim(lease.database(), HOLDER);

        assertThat(reclaimed.database()).isEqualTo(lease.database());
        assertThat(coordinator.service.outstanding()).isEqualTo(1);
        client.giveBack(reclaimed);
        assertThat(coordinator.service.outstanding()).isZero();
      }
    });
  }

  @Test
  void closingTheClientGivesItsLeasesBackWithoutReportingThemLost() {
    coordinator = TestCoordinator.start(temp, 2);
    assertTimeoutPreemptively(GUARD, () -> {
      List<Lease> lost = new CopyOnWriteArrayList<>();
      LeaseSocketClient client = new LeaseSocketClient(coordinator.directory);
      client.onLost(lost::add);
      client.lease(FakeLeaseService.HASH, Duration.ofSeconds(1), HOLDER);
      client.lease(FakeLeaseService.HASH, Duration.ofSeconds(1), HOLDER);

      client.close();

      await("both leases are given back", () -> coordinator.service.givenBack().size() == 2);
      coordinator.awaitIdle();
      assertThat(lost).isEmpty();
      assertThatThrownBy(() -> client.lease(FakeLeaseService.HASH, Duration.ofSeconds(1), HOLDER))
          .isInstanceOf(IllegalStateException.class);
    });
  }

  @Test
  void aGiveBackOfAnotherGenerationIsIgnored() {
    coordinator = TestCoordinator.start(temp, 1);
    assertTimeoutPreemptively(GUARD, () -> {
      try (LeaseSocketClient client = new LeaseSocketClient(coordinator.directory)) {
        Lease lease = client.lease(FakeLeaseService.HASH, Duration.ofSeconds(1), HOLDER);

        client.giveBack(new Lease(lease.templateHash(), lease.database(), lease.generation() + 1));

        assertThat(client.heldLeases()).isEqualTo(1);
        assertThat(coordinator.service.outstanding()).isEqualTo(1);
        client.giveBack(lease);
        client.giveBack(lease);
        assertThat(coordinator.service.givenBack()).containsExactly(lease);
      }
    });
  }

  @Test
  void statusReturnsTheCoordinatorsLine() {
    coordinator = TestCoordinator.start(temp, 2);
    assertTimeoutPreemptively(GUARD, () -> {
      try (LeaseSocketClient client = new LeaseSocketClient(coordinator.directory)) {
        assertThat(client.status()).isEqualTo("protocol=1 pid=" + ProcessHandle.current().pid()
            + " connections=1 leases=0 leased=0 free=2 waiting=0");
      }
    });
  }

  /**
   * A one-connection coordinator: answers the request line with {@code reply} (nothing if it is
   * empty; closes at once if it is null), then answers RETURN until end-of-stream.
   */
  private static CompletableFuture<String> stub(CoordinatorDirectory directory, String reply)
      throws Exception {
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(directory.socketFile()));
    CompletableFuture<String> request = new CompletableFuture<>();
    Thread thread = new Thread(() -> {
      try (server; SocketChannel channel = server.accept()) {
        LineChannel lines = new LineChannel(channel, TIMER);
        request.complete(lines.readLine(Duration.ofSeconds(10)));
        if (reply == null) {
          return;
        }
        if (!reply.isEmpty()) {
          lines.writeLine(reply);
        }
        for (String line; (line = lines.readLine(null)) != null; ) {
          lines.writeLine(line.equals("RETURN") ? "RETURNED" : "ERROR BAD_REQUEST stub");
        }
      } catch (Exception e) {
        request.completeExceptionally(e);
      }
    }, "stub-coordinator");
    thread.setDaemon(true);
    thread.start();
    return request;
  }
}
