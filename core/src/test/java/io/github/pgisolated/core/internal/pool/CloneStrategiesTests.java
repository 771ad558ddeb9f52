package io.github.pgisolated.core.internal.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.core.PgIsolatedConfig.CloneStrategy;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The clone strategy is picked per server by measuring both on the first clones. */
class CloneStrategiesTests {

  @Test
  void autoTriesBothInTurnThenKeepsTheOneWithTheLowerMedian() {
    CloneStrategies strategies = new CloneStrategies(CloneStrategy.AUTO, 18);
    long[] fileCopy = {12, 40, 11};
    long[] walLog = {25, 9, 27};
    for (int i = 0; i < CloneStrategies.TRIALS; i++) {
      assertThat(strategies.next()).isEqualTo(CloneStrategy.FILE_COPY);
      strategies.took(CloneStrategy.FILE_COPY, TimeUnit.MILLISECONDS.toNanos(fileCopy[i]));
      assertThat(strategies.chosen()).isNull();
      assertThat(strategies.next()).isEqualTo(CloneStrategy.WAL_LOG);
      strategies.took(CloneStrategy.WAL_LOG, TimeUnit.MILLISECONDS.toNanos(walLog[i]));
    }
    assertThat(strategies.chosen()).as("medians 12 ms and 25 ms").isEqualTo(CloneStrategy.FILE_COPY);
    assertThat(strategies.next()).isEqualTo(CloneStrategy.FILE_COPY);
  }

  @Test
  void walLogWinsWhenItMeasuresFaster() {
    CloneStrategies strategies = new CloneStrategies(CloneStrategy.AUTO, 15);
    for (int i = 0; i < CloneStrategies.TRIALS; i++) {
      strategies.took(strategies.next(), TimeUnit.MILLISECONDS.toNanos(30));
      strategies.took(strategies.next(), TimeUnit.MILLISECONDS.toNanos(10));
    }
    assertThat(strategies.chosen()).isEqualTo(CloneStrategy.WAL_LOG);
  }

  @Test
  void aConfiguredStrategyOrAnOldServerIsUsedAsItIs() {
    assertThat(new CloneStrategies(CloneStrategy.WAL_LOG, 18).next()).isEqualTo(CloneStrategy.WAL_LOG);
    CloneStrategies old = new CloneStrategies(CloneStrategy.AUTO, 14);
    old.took(CloneStrategy.FILE_COPY, 1);
    assertThat(old.chosen()).as("no strategy before PostgreSQL 15; FILE_COPY stands for the default")
        .isEqualTo(CloneStrategy.FILE_COPY);
  }
}
