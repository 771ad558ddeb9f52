package io.github.pgisolated.examples.shop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The README's code comes from these examples: every snippet there is the example's code, verbatim. */
class ReadmeSnippetsTest {
  private static final Path README = Path.of("..", "README.md");
  private static final Path SOURCES = Path.of("src", "test", "java", "io", "github", "pgisolated", "examples", "shop");

  @ParameterizedTest
  @CsvSource({"basic, QuickstartTest.java", "initializer, DemoCatalogue.java", "injection, InjectionStylesTest.java"})
  void readmeShowsTheExampleAsItIs(String name, String file) throws IOException {
    String source = Files.readString(SOURCES.resolve(file));
    Matcher region = Pattern.compile("// readme:start:" + name + "\n(.*?)\n// readme:end:" + name, Pattern.DOTALL)
        .matcher(source);
    assertThat(region.find()).as("markers for %s in %s", name, file).isTrue();
    assertThat(snippet(name)).isEqualTo(region.group(1));
  }

  @ParameterizedTest
  @CsvSource("surefire, pom.xml")
  void readmeShowsTheBuildConfigurationAsItIs(String name, String file) throws IOException {
    Matcher region = Pattern.compile("<!-- readme:start:" + name + " -->\n(.*?)\n\s*<!-- readme:end:" + name + " -->",
        Pattern.DOTALL).matcher(Files.readString(Path.of(file)));
    assertThat(region.find()).as("markers for %s in %s", name, file).isTrue();
    assertThat(snippet(name)).isEqualTo(region.group(1));
  }

  @ParameterizedTest
  @CsvSource("parallel, src/test/resources/junit-platform.properties")
  void readmeShowsTheConfigurationFileAsItIs(String name, String file) throws IOException {
    assertThat(snippet(name)).isEqualTo(Files.readString(Path.of(file)).stripTrailing());
  }

  private static String snippet(String name) throws IOException {
    Matcher block = Pattern.compile("<!-- snippet:" + name + " [^>]*-->\n```\\w+\n(.*?)\n```\n<!-- /snippet:" + name + " -->",
        Pattern.DOTALL).matcher(Files.readString(README));
    assertThat(block.find()).as("README snippet %s", name).isTrue();
    return block.group(1);
  }
}
