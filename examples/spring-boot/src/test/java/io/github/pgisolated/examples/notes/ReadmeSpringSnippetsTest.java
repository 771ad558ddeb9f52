package io.github.pgisolated.examples.notes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's Spring section comes from this example, verbatim. */
class ReadmeSpringSnippetsTest {
  private static final Path README = Path.of("..", "..", "README.md");

  @Test
  void readmeShowsTheSpringTestAsItIs() throws IOException {
    String source = Files.readString(Path.of("src/test/java/io/github/pgisolated/examples/notes/QuickstartSpringTest.java"));
    Matcher region = Pattern.compile("// readme:start:spring\n(.*?)\n// readme:end:spring", Pattern.DOTALL).matcher(source);
    assertThat(region.find()).isTrue();
    assertThat(snippet("spring")).isEqualTo(region.group(1));
  }

  @Test
  void readmeShowsTheDependencyAsItIs() throws IOException {
    Matcher region = Pattern.compile("<!-- readme:start:spring-dependency -->\n(.*?)\n\\s*<!-- readme:end:spring-dependency -->",
        Pattern.DOTALL).matcher(Files.readString(Path.of("pom.xml")));
    assertThat(region.find()).isTrue();
    String fromPom = region.group(1).stripIndent().replace("${project.version}", "0.1.0-SNAPSHOT");
    assertThat(snippet("spring-dependency")).isEqualTo(fromPom.strip());
  }

  private static String snippet(String name) throws IOException {
    Matcher block = Pattern.compile("<!-- snippet:" + name + " [^>]*-->\n```\\w+\n(.*?)\n```\n<!-- /snippet:" + name + " -->",
        Pattern.DOTALL).matcher(Files.readString(README));
    assertThat(block.find()).as("README snippet %s", name).isTrue();
    return block.group(1);
  }
}
