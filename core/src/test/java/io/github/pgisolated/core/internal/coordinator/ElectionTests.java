package io.github.pgisolated.core.internal.coordinator;

import static io.github.pgisolated.core.internal.coordinator.TestCoordinator.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.github.pgisolated.core.internal.coordinator.CoordinatorChildJvm.Child;
import io.github.pgisolated.core.internal.coordinator.LeaseService.Holder;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One coordinator per directory: in this JVM, across JVMs, and after crashes. */
class ElectionTests {

  private static final Duration GUARD = Duration.ofSeconds(30);

  @TempDir
  Path temp;

  @Test
  void aSecondElectionInTheSameJvmLosesUntilTheFirstLockIsReleased() {
    CoordinatorDirectory directory = CoordinatorDirectory.forTarget(temp, "target");
    Election.Result first = Election.tryBecomeCoordinator(directory);
    assertThat(first).isInstanceOf(Election.Won.class);
    CoordinatorLock lock = ((Election.Won) first).lock();

    Election.Result second = Election.tryBecomeCoordinator(directory);

    assertThat(second).isEqualTo(new Election.Lost(OptionalLong.of(ProcessHandle.current().pid())));
    assertThat(lock.isHeld()).as("the losing attempt must not release the winner's lock").isTrue();
    lock.close();
    assertThat(lock.isHeld()).isFalse();
    Election.Result third = Election.tryBecomeCoordinator(directory);
    assertThat(third).isInstanceOf(Election.Won.class);
    ((Election.Won) third).lock().close();
  }

  @Test
  void concurrentElectionsInOneJvmHaveExactlyOneWinner() {
    CoordinatorDirectory directory = CoordinatorDirectory.forTarget(temp, "target");
    List<Election.Result> results = new CopyOnWriteArrayList<>();
    assertTimeoutPreemptively(GUARD, () -> {
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        Thread thread = new Thread(() -> {
          try {
            start.await();
            results.add(Election.tryBecomeCoordinator(directory));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
        threads.add(thread);
        thread.start();
      }
      start.countDown();
      for (Thread thread : threads) {
        thread.join();
      }
    });
    try {
      assertThat(results).hasSize(8);
      assertThat(results).filteredOn(Election.Won.class::isInstance).hasSize(1);
    } finally {
      results.stream().filter(Election.Won.class::isInstance)
          .forEach(won -> ((Election.Won) won).lock().close());
    }
  }

  @Test
  void anElectionLosesWhileAnotherJvmHoldsTheLockAndWinsOnceThatJvmIsKilled() throws Exception {
    CoordinatorDirectory directory = CoordinatorDirectory.forTarget(temp, "target");
    try (Child child = Child.start("elect", temp.toString(), "target")) {
      assertThat(child.awaitLine("WON").trim()).isEqualTo("WON");

      Election.Result whileHeld = Election.tryBecomeCoordinator(directory);

      assertThat(whileHeld).isEqualTo(new Election.Lost(OptionalLong.of(child.process.pid())));
      child.kill(); // SIGKILL: no chance to release anything
    }
    Election.Result afterCrash = Election.tryBecomeCoordinator(directory);
    assertThat(afterCrash).as("the dead process's lock is free").isInstanceOf(Election.Won.class);
    try (CoordinatorLock lock = ((Election.Won) afterCrash).lock()) {
      assertThat(Files.readString(directory.coordinatorFile()).trim())
          .isEqualTo(Long.toString(ProcessHandle.current().pid()));
      assertThat(lock.isHeld()).isTrue();
    }
  }

  @Test
  void aLeftoverPlainFileWhereTheSocketBelongsIsReplacedByTheWinner() throws Exception {
    CoordinatorDirectory directory = CoordinatorDirectory.forTarget(temp, "target");
    Files.writeString(directory.socketFile(), "left by a crash");

    assertTheWinnerServesDespiteTheLeftover(directory);
  }

  @Test
  void aDeadSocketLeftByACrashIsReplacedByTheWinner() throws Exception {
    CoordinatorDirectory directory = CoordinatorDirectory.forTarget(temp, "target");
    try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      dead.bind(UnixDomainSocketAddress.of(directory.socketFile()));
    }
    assertThat(directory.socketFile()).as("closing a channel leaves its socket file").exists();

    assertTheWinnerServesDespiteTheLeftover(directory);
  }

  @Test
  void theLockFileOutlivesEveryCoordinator() {
    CoordinatorDirectory directory = CoordinatorDirectory.forTarget(temp, "target");
    for (int i = 0; i < 3; i++) {
      Election.Result result = Election.tryBecomeCoordinator(directory);
      assertThat(result).isInstanceOf(Election.Won.class);
      ((Election.Won) result).lock().close();
      assertThat(directory.lockFile()).exists();
      assertThat(directory.coordinatorFile()).doesNotExist();
    }
  }

  private static void assertTheWinnerServesDespiteTheLeftover(CoordinatorDirectory directory)
      throws Exception {
    Election.Result result = Election.tryBecomeCoordinator(directory);
    assertThat(result).isInstanceOf(Election.Won.class);
    CoordinatorLock lock = ((Election.Won) result).lock();
    assertThat(directory.socketFile()).doesNotExist();
    FakeLeaseService service = new FakeLeaseService(1);
    try (lock;
        LeaseSocketServer server = LeaseSocketServer.start(directory, lock, service, () -> "");
        LeaseSocketClient client = new LeaseSocketClient(directory)) {
      client.giveBack(client.lease(FakeLeaseService.HASH, Duration.ofSeconds(1),
          new Holder(1, "test")));
      await("the lease is back", () -> service.outstanding() == 0);
      assertThat(server.isServing()).isTrue();
    }
    assertThat(service.givenBack()).hasSize(1);
  }
}
