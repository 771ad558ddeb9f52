package io.github.pgisolated.spring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootVersion;
import org.springframework.core.SpringVersion;

/** These tests run twice: on Spring Boot 3.5 (this module) and on Spring Boot 4.0 (boot4-tests). */
class SpringBootVersionTests {

  @Test
  void theTestsRunOnTheSpringBootVersionOfTheirModule() {
    String expected = System.getProperty("pgisolatedtest.spring-boot-version");
    assertThat(expected).as("the module's spring-boot.version").isNotBlank();
    assertThat(SpringBootVersion.getVersion()).isEqualTo(expected);
    assertThat(SpringVersion.getVersion()).startsWith(expected.startsWith("3.") ? "6." : "7.");
  }
}
