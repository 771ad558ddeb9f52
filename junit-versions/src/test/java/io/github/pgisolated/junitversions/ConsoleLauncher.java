package io.github.pgisolated.junitversions;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real child JVM running the JUnit Platform console launcher of this module's JUnit version on
 * one test class, the way an IDE runs a test class: one JVM, no Maven, the test classpath given
 * on the command line.
 */
final class ConsoleLauncher implements AutoCloseable {
  private final Process process;
  private final Path output;

  private ConsoleLauncher(Process process, Path output) {
    this.process = process;
    this.output = output;
  }

  static ConsoleLauncher start(Class<?> testClass, Path output, String... systemProperties) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-XX:TieredStopAtLevel=1");
    for (String property : systemProperties) {
      command.add("-D" + property);
    }
    command.addAll(List.of("-jar", System.getProperty("pgisolatedtest.console-launcher"), "execute",
        "--disable-banner", "--details=summary", "--fail-if-no-tests",
        "--class-path", classpathWithoutJUnit(), "--select-class", testClass.getName()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
    return new ConsoleLauncher(builder.start(), output);
  }

  /** This JVM's test classpath without JUnit's own jars: the console launcher brings its own. */
  private static String classpathWithoutJUnit() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !entry.contains(File.separator + "junit" + File.separator)
            && !entry.contains("opentest4j") && !entry.contains("apiguardian") && !entry.contains("surefire"))
        .collect(Collectors.joining(File.pathSeparator));
  }

  long pid() {
    return process.pid();
  }

  int waitFor(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("The console launcher did not finish within " + seconds + " s; its output:\n" + output());
    }
    return process.exitValue();
  }

  String output() {
    try {
      return Files.readString(output, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
