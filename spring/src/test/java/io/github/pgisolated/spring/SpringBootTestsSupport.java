package io.github.pgisolated.spring;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.Map;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/** Runs fixtures through JUnit's own engine, as Maven or an IDE would run them. */
final class SpringBootTestsSupport {
  private SpringBootTestsSupport() {}

  static EngineExecutionResults run(Map<String, String> configuration, Class<?>... fixtures) {
    return EngineTestKit.engine("junit-jupiter")
        .configurationParameters(configuration)
        .selectors(java.util.Arrays.stream(fixtures).map(c -> selectClass(c)).toArray(org.junit.platform.engine.DiscoverySelector[]::new))
        .execute();
  }

  static EngineExecutionResults run(Class<?>... fixtures) {
    return run(Map.of(), fixtures);
  }

  static Throwable failureOf(Event event) {
    return event.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable).orElseThrow();
  }
}
