package io.github.pgisolated.benchmark.suite;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * One test JVM of a benchmark suite run, doing what a Surefire fork with {@code reuseForks=true}
 * does: one JUnit launcher session for the JVM, the test classes run one at a time as separate
 * requests, each class taken from a queue shared with the other forks (here: the first fork to
 * create {@code <claims>/<class>} runs it), and the session closed at the end (which closes
 * pgisolated's pool, as in a Surefire fork).
 *
 * <p>Arguments: the test class names. {@code -Dbench.claims}: the claims directory. Prints
 * {@code FORK tests=<n> failed=<n>} and exits 1 when a test failed. {@code -Dbench.phases}: where
 * to write the {@link PhaseTimer} figures.
 */
public final class ForkMain {
  private ForkMain() {}

  public static void main(String[] args) throws IOException {
    Path claims = Path.of(System.getProperty("bench.claims"));
    long tests = 0;
    long failed = 0;
    PrintWriter out = new PrintWriter(System.out, true);
    long lastTestEnd = System.currentTimeMillis();
    try (LauncherSession session = LauncherFactory.openSession()) {
      Launcher launcher = session.getLauncher();
      for (String testClass : args) {
        if (!claim(claims.resolve(testClass))) {
          continue;
        }
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(testClass)).build(), listener);
        TestExecutionSummary summary = listener.getSummary();
        tests += summary.getTestsFoundCount();
        failed += summary.getTotalFailureCount() + summary.getTestsAbortedCount();
        if (summary.getTotalFailureCount() > 0 || summary.getTestsFoundCount() == 0) {
          summary.printFailuresTo(out, 20);
        }
        lastTestEnd = System.currentTimeMillis();
      }
    }
    String phases = System.getProperty("bench.phases");
    if (phases != null) {
      // After the session closed (pgisolated's pool with it): the S line's second figure covers that.
      PhaseTimer.write(Path.of(phases), lastTestEnd);
    }
    out.println("FORK tests=" + tests + " failed=" + failed);
    out.flush();
    System.exit(failed > 0 ? 1 : 0);
  }

  private static boolean claim(Path file) throws IOException {
    try {
      Files.createFile(file);
      return true;
    } catch (FileAlreadyExistsException taken) {
      return false;
    }
  }
}
