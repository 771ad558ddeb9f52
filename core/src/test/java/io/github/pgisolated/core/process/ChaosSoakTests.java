package io.github.pgisolated.core.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short chaos soak of every {@code mvn verify} (see {@link ChaosSoak} for the long one):
 * four worker JVMs, SIGKILLed and restarted under load, the coordinator among them.
 */
class ChaosSoakTests {
  @TempDir
  Path directory;

  @Test
  void killedJvmsAndCoordinatorsLeaveNoDatabaseInTwoPlacesAndNoneLost() throws Exception {
    ChaosSoak.Settings settings = ChaosSoak.Settings.fromSystem(1200, 6);
    ChaosSoak.Summary summary = new ChaosSoak(settings, directory).run();
    System.out.println(summary.line());
    assertThat(summary.problems()).as(summary.line()).isEmpty();
    assertThat(summary.leases()).isGreaterThanOrEqualTo(settings.leases());
    assertThat(summary.kills()).isEqualTo(settings.kills());
    assertThat(summary.doubleLeases()).as("double leases").isZero();
    assertThat(summary.failedLeases()).as("failed leases").isZero();
    assertThat(summary.badExits()).as("workers that did not end cleanly").isZero();
    assertThat(summary.settled()).as("the pool settled after the soak").isTrue();
    assertThat(summary.lostDatabases()).as("clones on the server the pool does not know").isZero();
    assertThat(summary.dirtyDatabases()).as("ready clones with a holder row").isZero();
    assertThat(summary.poolReady()).as("ready clones after the soak")
        .isBetween(settings.poolInitial(), settings.poolMax());
    assertThat(summary.coordinatorKills()).as("kills of the coordinator").isPositive();
    // One election to start, one more after every kill of the coordinator.
    assertThat(summary.elections()).isGreaterThan(summary.coordinatorKills());
  }
}
