package io.github.pgisolated.core.internal.coordinator;

import static io.github.pgisolated.core.internal.coordinator.TestCoordinator.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.github.pgisolated.core.internal.coordinator.CoordinatorChildJvm.Child;
import io.github.pgisolated.core.internal.coordinator.LeaseService.Holder;
import io.github.pgisolated.core.internal.coordinator.LeaseService.Lease;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The server's side of protocol v1, through raw sockets and through the real client. */
class LeaseSocketServerTests {

  private static final Duration GUARD = Duration.ofSeconds(30);

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

  @Test
  void aLeaseMadeThroughTheClientIsGivenBackWhenTheClientReturnsIt() {
    coordinator = TestCoordinator.start(temp, 2);
    assertTimeoutPreemptively(GUARD, () -> {
      try (LeaseSocketClient client = new LeaseSocketClient(coordinator.directory)) {
        Lease lease = client.lease(FakeLeaseService.HASH, Duration.ofSeconds(5),
            new Holder(42, "surefire fork 1 (pid 42)"));

        assertThat(lease.database()).isEqualTo(FakeLeaseService.name(0));
        assertThat(coordinator.service.outstanding()).isEqualTo(1);
        assertThat(coordinator.server.heldLeases()).isEqualTo(1);

        client.giveBack(lease);

        // RETURNED is sent after the give-back: no waiting needed here.
        assertThat(coordinator.service.givenBack()).containsExactly(lease);
        assertThat(coordinator.service.outstanding()).isZero();
        assertThat(client.heldLeases()).isZero();
      }
    });
  }

  @Test
  void closingTheConnectionGivesTheLeaseBack() throws Exception {
    coordinator = TestCoordinator.start(temp, 2);
    assertTimeoutPreemptively(GUARD, () -> {
      try (RawConnection connection = coordinator.connect()) {
        assertThat(connection.lease()).startsWith("LEASED " + FakeLeaseService.HASH + " ");
      }
      await("the lease is given back", () -> coordinator.service.givenBack().size() == 1);
      coordinator.awaitIdle();
      assertThat(coordinator.service.outstanding()).isZero();
    });
  }

  @Test
  void returnGivesTheLeaseBackExactlyOnceAndEndsTheConnection() {
    coordinator = TestCoordinator.start(temp, 2);
    assertTimeoutPreemptively(GUARD, () -> {
      try (RawConnection connection = coordinator.connect()) {
        String leased = connection.lease();
        connection.send("RETURN\n");

        assertThat(connection.readLine()).isEqualTo("RETURNED");
        assertThat(connection.readLine()).as("closed after RETURNED").isNull();
        coordinator.awaitIdle();
        assertThat(coordinator.service.givenBack()).hasSize(1);
        assertThat(leased).endsWith(" " + coordinator.service.givenBack().get(0).database() + " "
            + coordinator.service.givenBack().get(0).generation());
      }
    });
  }

  @Test
  void aRequestAndItsReturnSentInOneWriteAreBothServed() {
    coordinator = TestCoordinator.start(temp, 1);
    assertTimeoutPreemptively(GUARD, () -> {
      try (RawConnection connection = coordinator.connect()) {
        connection.send("PGISOLATED 1 LEASE " + FakeLeaseService.HASH + " 100 1 eager\nRETURN\n");

        assertThat(connection.readLine()).startsWith("LEASED ");
        assertThat(connection.readLine()).isEqualTo("RETURNED");
        assertThat(coordinator.service.outstanding()).isZero();
      }
    });
  }

  @Test
  void anythingButReturnWhileALeaseIsHeldIsAnsweredAndGivesTheLeaseBack() {
    coordinator = TestCoordinator.start(temp, 2);
    assertTimeoutPreemptively(GUARD, () -> {
      try (RawConnection connection = coordinator.connect()) {
        connection.lease();
        connection.send("PGISOLATED 1 LEASE " + FakeLeaseService.HASH + " 100 1 again\n");

        assertThat(connection.readLine()).startsWith(
            "ERROR BAD_REQUEST only RETURN [UNCHANGED|KEPT] is valid while a lease is held, not \"PGISOLATED 1");
        assertThat(connection.readLine()).isNull();
        coordinator.awaitIdle();
        assertThat(coordinator.service.givenBack()).hasSize(1);
        assertThat(coordinator.service.leased()).isEqualTo(1);
      }
    });
  }

  @Test
  void aLeaseForAClientThatGaveUpWaitingIsGivenBack() {
    coordinator = TestCoordinator.start(temp, 1);
    assertTimeoutPreemptively(GUARD, () -> {
      try (RawConnection holder = coordinator.connect()) {
        holder.lease();
        try (RawConnection impatient = coordinator.connect()) {
          impatient.send("PGISOLATED 1 LEASE " + FakeLeaseService.HASH + " 20000 7 impatient\n");
          await("the second client waits", () -> coordinator.service.status().contains("waiting=1"));
        }
        holder.send("RETURN\n");
        assertThat(holder.readLine()).isEqualTo("RETURNED");
      }
      // The waiting request got the clone for a connection that is gone: given back at once.
      await("both leases are given back", () -> coordinator.service.givenBack().size() == 2);
      coordinator.awaitIdle();
      assertThat(coordinator.service.outstanding()).isZero();
    });
  }

  @Test
  void aClientKilledWithSigkillGivesItsLeaseBack() throws Exception {
    coordinator = TestCoordinator.start(temp, 2);
    try (Child child = Child.start("lease", temp.toString(), "test target")) {
      String leased = child.awaitLine("LEASED ");
      assertThat(coordinator.service.outstanding()).isEqualTo(1);

      child.kill();

      await("the killed child's lease is given back",
          () -> coordinator.service.givenBack().size() == 1);
      assertThat(coordinator.service.givenBack().get(0).database())
          .isEqualTo(leased.substring("LEASED ".length()));
      assertThat(coordinator.service.outstanding()).isZero();
    }
  }

  @Test
  void aSilentClientIsAnsweredAndClosedAfterTheRequestDeadline() {
    coordinator = TestCoordinator.start(temp, 1, Duration.ofMillis(200));
    assertTimeoutPreemptively(GUARD, () -> {
      try (RawConnection silent = coordinator.connect()) {
        long began = System.nanoTime();

        assertThat(silent.readLine())
            .isEqualTo("ERROR BAD_REQUEST no complete request line within 200 ms");
        assertThat(silent.readLine()).isNull();
        assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(5));
      }
      coordinator.awaitIdle();
    });
  }

  @Test
  void anOversizedLineIsRefusedWithoutReadingFurther() {
    coordinator = TestCoordinator.start(temp, 1);
    assertTimeoutPreemptively(GUARD, () -> {
      try (RawConnection connection = coordinator.connect()) {
        connection.send("PGISOLATED 1 LEASE " + FakeLeaseService.HASH + " 100 1 "
            + "x".repeat(2000) + "\n");

        assertThat(connection.readLine()).isEqualTo(
            "ERROR BAD_REQUEST line longer than 1024 bytes (the limit includes the newline)");
        assertThat(connection.isClosedByServer()).isTrue();
      }
      assertThat(coordinator.service.leased()).isZero();
    });
  }

  @Test
  void aLineOfExactly1024BytesIsAccepted() {
    coordinator = TestCoordinator.start(temp, 1);
    assertTimeoutPreemptively(GUARD, () -> {
      String prefix = "PGISOLATED 1 LEASE " + FakeLeaseService.HASH + " 100 1 ";
      try (RawConnection connection = coordinator.connect()) {
        connection.send(prefix + "n".repeat(1023 - prefix.length()) + "\n");

        assertThat(connection.readLine()).startsWith("LEASED ");
      }
    });
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      hello                                                    | ERROR BAD_REQUEST not a pgisolated request
      PGISOLATED 2 LEASE 0123456789abcdef 100 1 x              | ERROR UNSUPPORTED_VERSION this coordinator speaks protocol version 1 only, not "2"
      PGISOLATED 1 BORROW 0123456789abcdef 100 1 x             | ERROR BAD_REQUEST unknown verb "BORROW"; expected LEASE, RECLAIM or STATUS
      RETURN                                                   | ERROR BAD_REQUEST RETURN before LEASED
      PGISOLATED 1 LEASE 0123456789ABCDEF 100 1 x              | ERROR BAD_REQUEST <template-hash> must be 16 lower-case hex digits
      PGISOLATED 1 LEASE 0123456789abcdef 0 1 x                | ERROR BAD_REQUEST <timeout-ms> must be 1 to 3600000
      PGISOLATED 1 LEASE 0123456789abcdef 3600001 1 x          | ERROR BAD_REQUEST <timeout-ms> must be 1 to 3600000
      PGISOLATED 1 LEASE 0123456789abcdef 100 -1 x             | ERROR BAD_REQUEST <pid> must be a positive decimal integer
      PGISOLATED 1 LEASE 0123456789abcdef 100 1                | ERROR BAD_REQUEST missing <holder-name>
      PGISOLATED 1 LEASE 0123456789abcdef  100 1 x             | ERROR BAD_REQUEST empty token where <timeout-ms> belongs
      PGISOLATED 1 RECLAIM pgisolated_0123456789abcdef_01 1 x  | ERROR BAD_REQUEST <database> must look like pgisolated_<16 hex>_<4 digits>
      PGISOLATED 1 STATUS now                                  | ERROR BAD_REQUEST unexpected text at the end of the line: "now"
      PGISOLATED 1 LEASE 00000000000000ee 100 1 x              | ERROR REFUSED Template 00000000000000ee is not finished
      PGISOLATED 1 LEASE 00000000000000aa 100 1 x              | ERROR UNAVAILABLE The pool is closing.
      PGISOLATED 1 LEASE 00000000000000ff 100 1 x              | ERROR INTERNAL IllegalStateException: the fake pool broke
      PGISOLATED 1 LEASE 00000000000000bb 100 1 x              | ERROR INTERNAL the pool handed out Lease[templateHash=00000000000000bb, database=not a pgisolated name
      PGISOLATED 1 RECLAIM pgisolated_0123456789abcdef_0009 1 x | ERROR REFUSED pgisolated_0123456789abcdef_0009 is not free to re-claim.
      """)
  void eachBadRequestIsAnsweredWithItsCodeAndTheConnectionClosed(String request, String answer) {
    coordinator = TestCoordinator.start(temp, 1);
    assertTimeoutPreemptively(GUARD, () -> {
      try (RawConnection connection = coordinator.connect()) {
        connection.send(request + "\n");

        assertThat(connection.readLine()).startsWith(answer);
        assertThat(connection.readLine()).isNull();
      }
      coordinator.awaitIdle();
      assertThat(coordinator.service.outstanding()).isZero();
      assertThat(coordinator.server.isServing()).isTrue();
    });
  }

  @Test
  void aMultiLinePoolMessageTravelsEscapedInOneTimeoutLine() {
    coordinator = TestCoordinator.start(temp, 1);
    assertTimeoutPreemptively(GUARD, () -> {
      try (RawConnection holder = coordinator.connect();
          RawConnection waiter = coordinator.connect()) {
        holder.lease();
        waiter.send("PGISOLATED 1 LEASE " + FakeLeaseService.HASH + " 50 2 waiter\n");

        assertThat(waiter.readLine()).isEqualTo("ERROR TIMEOUT Timed out after 50 ms waiting "
            + "for a database of template 0123456789abcdef (leased 1/1, 1 waiting).\\nRaise "
            + "pgisolated.pool.max-size \\\\ or look for leaked leases.");
      }
    });
  }

  @Test
  void statusIsOneLineWithTheServersAndThePoolsState() {
    coordinator = TestCoordinator.start(temp, 3);
    assertTimeoutPreemptively(GUARD, () -> {
      try (RawConnection holder = coordinator.connect();
          RawConnection asker = coordinator.connect()) {
        holder.lease();
        asker.send("PGISOLATED 1 STATUS\n");

        assertThat(asker.readLine()).isEqualTo("STATUS protocol=1 pid="
            + ProcessHandle.current().pid() + " connections=2 leases=1 leased=1 free=2 waiting=0");
        assertThat(asker.readLine()).isNull();
      }
    });
  }

  @Test
  void closingTheServerClosesEveryConnectionGivesBackAndDeletesTheSocketButKeepsTheLock() {
    coordinator = TestCoordinator.start(temp, 2);
    assertTimeoutPreemptively(GUARD, () -> {
      try (RawConnection first = coordinator.connect();
          RawConnection second = coordinator.connect()) {
        first.lease();
        second.lease();

        coordinator.server.close();

        assertThat(first.readLine()).as("end-of-stream tells the holder").isNull();
        assertThat(second.readLine()).isNull();
        assertThat(coordinator.service.givenBack()).hasSize(2);
        assertThat(coordinator.directory.socketFile()).doesNotExist();
        assertThat(coordinator.lock.isHeld()).isTrue();
        assertThat(coordinator.server.isServing()).isFalse();
      }
    });
  }

  @Test
  void manyConcurrentLeasesNeverShareADatabase() {
    coordinator = TestCoordinator.start(temp, 4);
    assertTimeoutPreemptively(GUARD, () -> {
      List<Thread> threads = new ArrayList<>();
      Set<String> held = ConcurrentHashMap.newKeySet();
      List<Throwable> failures = new CopyOnWriteArrayList<>();
      try (LeaseSocketClient client = new LeaseSocketClient(coordinator.directory)) {
        for (int t = 0; t < 8; t++) {
          Thread thread = new Thread(() -> {
            try {
              for (int i = 0; i < 50; i++) {
                Lease lease = client.lease(FakeLeaseService.HASH, Duration.ofSeconds(10),
                    new Holder(1, Thread.currentThread().getName()));
                if (!held.add(lease.database())) {
                  failures.add(new AssertionError(lease.database() + " held twice"));
                }
                held.remove(lease.database());
                client.giveBack(lease);
              }
            } catch (Throwable e) {
              failures.add(e);
            }
          }, "leaser-" + t);
          threads.add(thread);
          thread.start();
        }
        for (Thread thread : threads) {
          thread.join();
        }
      }
      assertThat(failures).isEmpty();
      assertThat(coordinator.service.leased()).isEqualTo(400);
      assertThat(coordinator.service.givenBack()).hasSize(400);
    });
  }

  @Test
  void theSocketIsReadableAndWritableByItsOwnerOnly() throws Exception {
    coordinator = TestCoordinator.start(temp, 1);

    assertThat(Files.getPosixFilePermissions(coordinator.directory.socketFile()))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(coordinator.directory.directory()))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
  }
}
