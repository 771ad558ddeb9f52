package io.github.pgisolated.core.internal.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.core.internal.db.DatabaseNames.Kind;
import io.github.pgisolated.core.internal.db.DatabaseNames.Marker;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The markers pgisolated writes, read back; anything else is not pgisolated's. */
class DatabaseNamesTests {
  private static final String HASH = "3fa2b4c1d2e3f4a5";
  private static final String LINEAGE = "0123456789abcdef";
  private static final Instant USED = Instant.ofEpochSecond(1_790_000_000L);

  @Test
  void readsACloneMarker() {
    assertThat(DatabaseNames.parse(DatabaseNames.cloneMarker(HASH))).contains(new Marker(Kind.CLONE, HASH));
  }

  @Test
  void readsABuildingMarker() {
    assertThat(DatabaseNames.parse("pgisolated:1 template " + HASH + " building"))
        .contains(new Marker(Kind.TEMPLATE_BUILDING, HASH));
  }

  @Test
  void readsTheReadyMarkerOfEarlierVersionsWithoutLineageOrLastUse() {
    Marker marker = DatabaseNames.parse("pgisolated:1 template " + HASH + " ready").orElseThrow();
    assertThat(marker.kind()).isEqualTo(Kind.TEMPLATE_READY);
    assertThat(marker.isReadyTemplateOf(HASH)).isTrue();
    assertThat(marker.lineage()).isEmpty();
    assertThat(marker.used()).isEmpty();
  }

  @Test
  void readsAReadyMarkerWithLineageAndLastUse() {
    String text = DatabaseNames.readyMarker(HASH, LINEAGE, USED);
    assertThat(text).isEqualTo("pgisolated:1 template " + HASH + " ready lineage=" + LINEAGE + " used=1790000000");
    assertThat(DatabaseNames.parse(text))
        .contains(new Marker(Kind.TEMPLATE_READY, HASH, Optional.of(LINEAGE), Optional.of(USED), Optional.empty()));
  }

  @Test
  void readsAReadyMarkerWithTheFingerprintAndTheLastRunsDemand() {
    TemplateFingerprint fingerprint = new TemplateFingerprint("0123456789abcdef0123456789abcdef", "fedcba9876543210");
    String text = DatabaseNames.readyMarker(HASH, LINEAGE, USED, Optional.of(fingerprint),
        Optional.of(new DatabaseNames.Demand(4, 120)));
    assertThat(text).isEqualTo("pgisolated:1 template " + HASH + " ready lineage=" + LINEAGE + " used=1790000000"
        + " content=0123456789abcdef0123456789abcdef catalog=fedcba9876543210 demand=4/120");
    Marker marker = DatabaseNames.parse(text).orElseThrow();
    assertThat(marker.isReadyTemplateOf(HASH)).isTrue();
    assertThat(marker.fingerprint()).contains(fingerprint);
    assertThat(marker.demand()).contains(new DatabaseNames.Demand(4, 120));
    assertThat(DatabaseNames.parse(DatabaseNames.readyMarker(HASH, LINEAGE, USED, Optional.empty(),
        Optional.of(new DatabaseNames.Demand(1, 0)))).orElseThrow().fingerprint()).isEmpty();
  }

  @Test
  void readsACloneStampedCleanAndNothingLikeIt() {
    Marker clean = DatabaseNames.parse(DatabaseNames.cleanCloneMarker(HASH, USED, 7)).orElseThrow();
    assertThat(clean.kind()).isEqualTo(Kind.CLONE);
    assertThat(clean.clean()).contains(new DatabaseNames.CleanStamp(USED, 7));
    assertThat(DatabaseNames.parse(DatabaseNames.cloneMarker(HASH)).orElseThrow().clean()).isEmpty();
    assertThat(DatabaseNames.parse("pgisolated:1 clone " + HASH + " clean")).isEmpty();
    assertThat(DatabaseNames.parse("pgisolated:1 clone " + HASH + " clean at=1 sessions=x")).isEmpty();
    assertThat(DatabaseNames.parse("pgisolated:1 template " + HASH + " ready lineage=" + LINEAGE
        + " used=1 content=short catalog=fedcba9876543210")).isEmpty();
  }

  @Test
  void readsAFailedMarkerWithItsErrorOverSeveralLines() {
    String error = "Template script db/x.sql failed at line 4: ERROR: syntax error\n  4 | create tabel x ();\nFix it.";
    String text = DatabaseNames.failedMarker(HASH, USED, error);
    assertThat(text).isEqualTo("pgisolated:1 template " + HASH + " failed at=1790000000\n" + error);
    Marker marker = DatabaseNames.parse(text).orElseThrow();
    assertThat(marker.kind()).isEqualTo(Kind.TEMPLATE_FAILED);
    assertThat(marker.hash()).isEqualTo(HASH);
    assertThat(marker.used()).contains(USED);
    assertThat(marker.failure()).contains(error);
    assertThat(marker.isReadyTemplateOf(HASH)).isFalse();
  }

  @Test
  void readsAFailedMarkerWithoutTimeOrError() {
    Marker marker = DatabaseNames.parse("pgisolated:1 template " + HASH + " failed").orElseThrow();
    assertThat(marker.kind()).isEqualTo(Kind.TEMPLATE_FAILED);
    assertThat(marker.used()).isEmpty();
    assertThat(marker.failure()).contains("");
  }

  @Test
  void aFailedMarkerKeepsAtMost8KbOfTheErrorAndNoControlCharacters() {
    String huge = "é".repeat(10_000) + "\u0000\u0007";
    String text = DatabaseNames.failedMarker(HASH, USED, "bell\u0007 nul\u0000 tab\t line\nend " + huge);
    assertThat(text.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(DatabaseNames.MAX_FAILURE_BYTES + 64);
    assertThat(text).doesNotContain("\u0000").doesNotContain("\u0007").contains("bell nul tab\t line\nend ").endsWith("\n(cut)");
    assertThat(DatabaseNames.parse(text)).map(Marker::kind).contains(Kind.TEMPLATE_FAILED);
    assertThat(DatabaseNames.failedMarker(HASH, USED, null)).endsWith("\n(no error message)");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "pgisolated",
      "a user's own comment",
      "pgisolated:1 template 3fa2b4c1d2e3f4a5",
      "pgisolated:1 template 3fa2b4c1d2e3f4a5 done",
      "pgisolated:2 template 3fa2b4c1d2e3f4a5 ready",
      "pgisolated:1 template 3FA2B4C1D2E3F4A5 ready",
      "pgisolated:1 template 3fa2b4c1d2e3f4a ready",
      "pgisolated:1 template 3fa2b4c1d2e3f4a5a ready",
      "pgisolated:1 template 3fa2b4c1d2e3f4a5 ready ",
      " pgisolated:1 template 3fa2b4c1d2e3f4a5 ready",
      "pgisolated:1  template 3fa2b4c1d2e3f4a5 ready",
      "pgisolated:1 template 3fa2b4c1d2e3f4a5 ready\n",
      "pgisolated:1 template 3fa2b4c1d2e3f4a5 ready\nmore",
      "pgisolated:1 template 3fa2b4c1d2e3f4a5 ready lineage=0123456789abcdef",
      "pgisolated:1 template 3fa2b4c1d2e3f4a5 ready used=1790000000",
      "pgisolated:1 template 3fa2b4c1d2e3f4a5 ready used=1790000000 lineage=0123456789abcdef",
      "pgisolated:1 template 3fa2b4c1d2e3f4a5 ready lineage=0123456789ABCDEF used=1790000000",
      "pgisolated:1 template 3fa2b4c1d2e3f4a5 ready lineage=0123456789abcde used=1790000000",
      "pgisolated:1 template 3fa2b4c1d2e3f4a5 ready lineage=0123456789abcdef used=",
      "pgisolated:1 template 3fa2b4c1d2e3f4a5 ready lineage=0123456789abcdef used=-1",
      "pgisolated:1 template 3fa2b4c1d2e3f4a5 ready lineage=0123456789abcdef used=1e9",
      "pgisolated:1 template 3fa2b4c1d2e3f4a5 ready lineage=0123456789abcdef used=9999999999999999999999",
      "pgisolated:1 template 3fa2b4c1d2e3f4a5 ready lineage=0123456789abcdef used=1790000000 extra=1",
      "pgisolated:1 template 3fa2b4c1d2e3f4a5 building\nerror",
      "pgisolated:1 template 3fa2b4c1d2e3f4a5 building lineage=0123456789abcdef used=1790000000",
      "pgisolated:1 template 3fa2b4c1d2e3f4a5 failed at=",
      "pgisolated:1 template 3fa2b4c1d2e3f4a5 failed at=soon\nerror",
      "pgisolated:1 template 3fa2b4c1d2e3f4a5 failed lineage=0123456789abcdef used=1790000000",
      "pgisolated:1 template 3fa2b4c1d2e3f4a5 failed\rat=1",
      "pgisolated:1 template 3fa2b4c1d2e3f4a5 failedat=1",
      "pgisolated:1 clone 3fa2b4c1d2e3f4a5 ready",
      "pgisolated:1 clone 3fa2b4c1d2e3f4a5 failed",
      "pgisolated:1 clone 3fa2b4c1d2e3f4a5\nmore",
      "pgisolated:1 clone 3fa2b4c1d2e3f4a5 ",
      "pgisolated:1 snapshot 3fa2b4c1d2e3f4a5",
  })
  void rejectsEverythingElse(String comment) {
    assertThat(DatabaseNames.parse(comment)).as("'%s'", comment).isEmpty();
  }

  @Test
  void rejectsNoComment() {
    assertThat(DatabaseNames.parse(null)).isEmpty();
  }

  @Test
  void tellsTemplateAndCloneNamesApart() {
    assertThat(DatabaseNames.hashOfTemplateName(DatabaseNames.template(HASH))).contains(HASH);
    assertThat(DatabaseNames.hashOfCloneName(DatabaseNames.clone(HASH, 7))).contains(HASH);
    assertThat(DatabaseNames.hashOfTemplateName(DatabaseNames.clone(HASH, 7))).isEmpty();
    assertThat(DatabaseNames.hashOfCloneName(DatabaseNames.template(HASH))).isEmpty();
    assertThat(DatabaseNames.hashOfTemplateName("pgisolated_" + HASH + "_tpl2")).isEmpty();
    assertThat(DatabaseNames.hashOfCloneName("pgisolated_" + HASH + "_00001")).isEmpty();
  }
}
