package io.github.pgisolated.benchmark.suite;

import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The benchmark's test class, {@value #TESTS} tests of the JVM's {@link BenchWorkload}; the suite is
 * {@value #CLASSES} subclasses of it per strategy. Which extension gives the {@link DataSource}
 * decides the strategy: {@code @PgIsolated} ({@link IsolatedOrders}) or {@link ManualDatabaseExtension}
 * ({@link ManualOrders}).
 */
@ExtendWith(PhaseTimer.class)
public abstract class OrdersSuite {
  /** Tests per class. */
  public static final int TESTS = 30;
  /** Classes per strategy. */
  public static final int CLASSES = 10;

  @RepeatedTest(TESTS)
  void placesAnOrder(DataSource db, RepetitionInfo repetition) throws SQLException {
    BenchWorkload.current().run(db, suiteNumber(), repetition.getCurrentRepetition());
  }

  /** The number at the end of the class name, e.g. 7 for {@code IsolatedOrders07}. */
  private int suiteNumber() {
    String name = getClass().getSimpleName();
    return Integer.parseInt(name.substring(name.length() - 2));
  }

  /** The class names of one strategy's suite on a workload. */
  public static java.util.List<String> classNames(Strategy strategy, BenchWorkload workload) {
    java.util.List<String> names = new java.util.ArrayList<>();
    for (int i = 1; i <= CLASSES; i++) {
      names.add(strategy.classPrefix(workload) + String.format("%02d", i));
    }
    return names;
  }
}
