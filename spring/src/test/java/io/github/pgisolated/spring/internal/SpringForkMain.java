package io.github.pgisolated.spring.internal;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * A test JVM as Surefire forks one: runs one test class through JUnit's launcher, then says how
 * it went and how many templates this JVM migrated with Spring Boot's settings.
 */
public final class SpringForkMain {
  private SpringForkMain() {}

  public static void main(String[] args) {
    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(args[0])).build(),
        listener);
    TestExecutionSummary summary = listener.getSummary();
    summary.getFailures().forEach(f -> f.getException().printStackTrace());
    System.out.println("SUCCEEDED " + summary.getTestsSucceededCount() + " FAILED " + summary.getTotalFailureCount());
    System.out.println("MIGRATED " + BootMigrationsInitializer.runsInThisJvm());
    System.out.flush();
    System.exit(0);
  }
}
