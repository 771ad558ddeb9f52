package io.github.pgisolated.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON of IntegreSQL request bodies: what clients send is read, anything else is refused with where. */
class JsonTests {

  @Test
  void readsWhatIntegreSqlClientsSend() throws Exception {
    Map<String, Object> body = Json.parseObject(" {\"hash\": \"a\\u00e9\\\"b\", \"extra\": [1, {\"x\": null}], \"n\": -2.5, \"ok\": true} ");
    assertThat(body).containsEntry("hash", "aé\"b").containsEntry("n", -2.5).containsEntry("ok", true)
        .containsEntry("extra", "[1, {\"x\": null}]");
  }

  @Test
  void refusesWhatIsNotOneJsonObject() {
    assertThatThrownBy(() -> Json.parseObject("")).hasMessageContaining("missing");
    assertThatThrownBy(() -> Json.parseObject("{\"hash\": ")).hasMessageContaining("at offset");
    assertThatThrownBy(() -> Json.parseObject("[]")).hasMessageContaining("must be a JSON object");
    assertThatThrownBy(() -> Json.parseObject("{\"a\":1} x")).hasMessageContaining("after the JSON value");
    assertThatThrownBy(() -> Json.parseObject("{\"a\":\"\u0001\"}")).hasMessageContaining("control character");
    assertThatThrownBy(() -> Json.parseObject("{hash: 1}")).hasMessageContaining("member name");
  }

  @Test
  void quotesStringsForAnswers() {
    assertThat(Json.quote("a\"b\\c\nd\u0002")).isEqualTo("\"a\\\"b\\\\c\\nd\\u0002\"");
  }
}
