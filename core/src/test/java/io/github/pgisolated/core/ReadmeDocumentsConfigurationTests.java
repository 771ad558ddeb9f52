package io.github.pgisolated.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.core.internal.config.ConfigKey;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's configuration tables list every key with the default the code uses. */
class ReadmeDocumentsConfigurationTests {

  @Test
  void everyKeyIsDocumentedWithItsDefault() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    for (ConfigKey key : ConfigKey.values()) {
      String defaultCell = key.documentedDefault().isEmpty() ? "(none)" : "`" + key.documentedDefault() + "`";
      assertThat(readme)
          .as("README row for %s", key.key())
          .contains("| `" + key.key() + "` | " + defaultCell + " | " + key.description() + " |");
    }
  }
}
