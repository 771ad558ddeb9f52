package io.github.pgisolated.core.internal.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** A coordinator as the orchestrator will run it: elected, serving a {@link FakeLeaseService}. */
final class TestCoordinator implements AutoCloseable {

  final CoordinatorDirectory directory;
  final CoordinatorLock lock;
  final FakeLeaseService service;
  final LeaseSocketServer server;

  private TestCoordinator(CoordinatorDirectory directory, CoordinatorLock lock,
      FakeLeaseService service, LeaseSocketServer server) {
    this.directory = directory;
    this.lock = lock;
    this.service = service;
    this.server = server;
  }

  static TestCoordinator start(Path base, int poolSize) {
    return start(base, poolSize, LeaseSocketServer.DEFAULT_REQUEST_TIMEOUT);
  }

  static TestCoordinator start(Path base, int poolSize, Duration requestTimeout) {
    CoordinatorDirectory directory = CoordinatorDirectory.forTarget(base, "test target");
    Election.Result result = Election.tryBecomeCoordinator(directory);
    assertThat(result).isInstanceOf(Election.Won.class);
    CoordinatorLock lock = ((Election.Won) result).lock();
    FakeLeaseService service = new FakeLeaseService(poolSize);
    LeaseSocketServer server = LeaseSocketServer.start(directory, lock, service, service::status,
        requestTimeout);
    return new TestCoordinator(directory, lock, service, server);
  }

  RawConnection connect() throws Exception {
    return RawConnection.open(directory.socketFile());
  }

  /** Waits until every connection thread has ended, so that counts are final. */
  void awaitIdle() throws InterruptedException {
    await("the server has no open connection", () -> server.connections() == 0);
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Waited 10 s in vain for: " + what);
      }
      Thread.sleep(5);
    }
  }

  @Override
  public void close() {
    server.close();
    lock.close();
  }
}
