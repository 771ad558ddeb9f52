package io.github.pgisolated.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.spring.app.SpringBootTestCases;
import io.github.pgisolated.spring.internal.SpringForkMain;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Three test JVMs started at once, as Surefire forks are, each starting the same application
 * context: the template Spring Boot's Flyway settings describe is migrated by one of them, and the
 * others wait for it and reuse it.
 */
class TemplateAcrossForksTests {
  private static final Pattern MIGRATED = Pattern.compile("(?m)^MIGRATED (\\d+)$");

  @Test
  void aFlywayMigratedTemplateIsBuiltOnceAcrossForks() throws Exception {
    // A placeholder only this run uses: the settings are part of the template's hash, so the template is new.
    String run = UUID.randomUUID().toString();
    List<Process> forks = new ArrayList<>();
    List<Path> outputs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Path output = Files.createTempFile("pgisolated-fork", ".log");
      outputs.add(output);
      forks.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m",
          "-XX:TieredStopAtLevel=1", "-Dspring.flyway.placeholders.run=" + run,
          "-cp", System.getProperty("java.class.path"), SpringForkMain.class.getName(),
          SpringBootTestCases.FirstClass.class.getName())
          .redirectErrorStream(true).redirectOutput(output.toFile()).start());
    }
    int migrations = 0;
    for (int i = 0; i < forks.size(); i++) {
      assertThat(forks.get(i).waitFor(180, TimeUnit.SECONDS)).as("fork %d finished", i).isTrue();
      String log = Files.readString(outputs.get(i), StandardCharsets.UTF_8);
      Files.delete(outputs.get(i));
      assertThat(log).as(log).contains("SUCCEEDED 4 FAILED 0");
      Matcher migrated = MIGRATED.matcher(log);
      assertThat(migrated.find()).as(log).isTrue();
      migrations += Integer.parseInt(migrated.group(1));
    }
    assertThat(migrations).as("templates migrated with Spring Boot's Flyway, in all three forks").isEqualTo(1);
  }
}
