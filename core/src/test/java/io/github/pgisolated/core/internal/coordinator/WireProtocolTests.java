package io.github.pgisolated.core.internal.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pgisolated.core.internal.coordinator.LeaseService.Holder;
import io.github.pgisolated.core.internal.coordinator.LeaseService.Lease;
import io.github.pgisolated.core.internal.coordinator.WireProtocol.LeaseRequest;
import io.github.pgisolated.core.internal.coordinator.WireProtocol.ReclaimRequest;
import io.github.pgisolated.core.internal.coordinator.WireProtocol.StatusRequest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The lines of protocol v1, without sockets: what parses, what does not, and how text travels. */
class WireProtocolTests {

  @Test
  void aLeaseRequestKeepsTheRestOfTheLineAsTheHolderName() throws Exception {
    assertThat(WireProtocol.parseRequest(
        "PGISOLATED 1 LEASE 0123456789abcdef 30000 4711 surefire fork 2 (pid 4711)"))
        .isEqualTo(new LeaseRequest("0123456789abcdef", 30_000,
            new Holder(4711, "surefire fork 2 (pid 4711)")));
  }

  @Test
  void reclaimAndStatusRequestsParse() throws Exception {
    assertThat(WireProtocol.parseRequest(
        "PGISOLATED 1 RECLAIM pgisolated_0123456789abcdef_0007 12 fork  two"))
        .isEqualTo(new ReclaimRequest("pgisolated_0123456789abcdef_0007", new Holder(12,
            "fork  two")));
    assertThat(WireProtocol.parseRequest("PGISOLATED 1 STATUS")).isEqualTo(new StatusRequest());
  }

  @Test
  void theRequestsTheClientFormatsAreTheOnesTheServerParses() throws Exception {
    Holder holder = new Holder(99, "fork 3 \u00e9");

    assertThat(WireProtocol.parseRequest(
        WireProtocol.leaseRequest("0123456789abcdef", 3_600_000, holder)))
        .isEqualTo(new LeaseRequest("0123456789abcdef", 3_600_000, holder));
    assertThat(WireProtocol.parseRequest(
        WireProtocol.reclaimRequest("pgisolated_0123456789abcdef_0000", holder)))
        .isEqualTo(new ReclaimRequest("pgisolated_0123456789abcdef_0000", holder));
    assertThat(WireProtocol.parseRequest(WireProtocol.statusRequest()))
        .isEqualTo(new StatusRequest());
  }

  @Test
  void theVersionIsCheckedBeforeAnythingElse() {
    assertThatThrownBy(() -> WireProtocol.parseRequest("PGISOLATED 2 SOMETHING NEW"))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("this coordinator speaks protocol version 1 only, not \"2\"")
        .satisfies(e -> assertThat(((ProtocolException) e).code())
            .isEqualTo(ErrorCode.UNSUPPORTED_VERSION));
  }

  @Test
  void aLineEndingInCarriageReturnIsExplained() {
    assertThatThrownBy(() -> WireProtocol.parseRequest("PGISOLATED 1 STATUS\r"))
        .hasMessage("the line ends with \\r\\n; lines end with \\n alone");
  }

  @Test
  void aControlCharacterInTheHolderNameIsRefused() {
    assertThatThrownBy(() -> WireProtocol.parseRequest(
        "PGISOLATED 1 LEASE 0123456789abcdef 100 1 fork\u0007"))
        .hasMessage("<holder-name> contains the control character U+0007");
  }

  @Test
  void aPidBeyondALongIsRefused() {
    assertThatThrownBy(() -> WireProtocol.parseRequest(
        "PGISOLATED 1 LEASE 0123456789abcdef 100 99999999999999999999 x"))
        .hasMessage("<pid> must be a positive decimal integer, not \"99999999999999999999\"");
  }

  @Test
  void aLeasedLineRoundTrips() throws Exception {
    Lease lease = new Lease("0123456789abcdef", "pgisolated_0123456789abcdef_0003", 17);

    assertThat(WireProtocol.leasedLine(lease))
        .isEqualTo("LEASED 0123456789abcdef pgisolated_0123456789abcdef_0003 17");
    assertThat(WireProtocol.parseLeased(WireProtocol.leasedLine(lease))).isEqualTo(lease);
  }

  @Test
  void freeTextIsEscapedToOneLineAndBack() {
    String text = "line 1\nline 2\twith \\ and \r and \u0000 and \u2028 and \u00e9";

    String escaped = ProtocolText.escape(text);

    assertThat(escaped).isEqualTo(
        "line 1\\nline 2\\twith \\\\ and \\r and \\u0000 and \\u2028 and \u00e9");
    assertThat(ProtocolText.unescape(escaped)).isEqualTo(text);
    assertThat(ProtocolText.unescape("a \\q b \\u12 c \\")).isEqualTo("a \\q b \\u12 c \\");
  }

  @Test
  void anErrorLineIsCutToFitWithoutSplittingACharacterOrAnEscape() {
    String message = "\u00e9\n".repeat(1000);

    String line = WireProtocol.errorLine(ErrorCode.TIMEOUT, message);

    byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
    assertThat(bytes.length).isLessThanOrEqualTo(WireProtocol.MAX_LINE_BYTES);
    assertThat(line).startsWith("ERROR TIMEOUT \u00e9\\n\u00e9\\n").endsWith("...");
    String body = line.substring("ERROR TIMEOUT ".length(), line.length() - "...".length());
    assertThat(ProtocolText.escape(ProtocolText.unescape(body))).as("no escape cut in half")
        .isEqualTo(body);
    assertThat(WireProtocol.parseError(line).getMessage()).startsWith("\u00e9\n\u00e9\n");
  }

  @Test
  void anErrorOfAnUnknownCodeIsReadAsInternalAndKeepsItsText() {
    ProtocolException error = WireProtocol.parseError("ERROR FROM_THE_FUTURE it\\nhappened");

    assertThat(error.code()).isEqualTo(ErrorCode.INTERNAL);
    assertThat(error.getMessage()).isEqualTo("unknown error code \"FROM_THE_FUTURE\": it\nhappened");
  }

  @Test
  void aHolderNameTooLongForTheLineIsCutOnACharacterBoundary() throws Exception {
    String line = WireProtocol.leaseRequest("0123456789abcdef", 1, new Holder(1, "\u20ac".repeat(400)));

    assertThat((line + "\n").getBytes(StandardCharsets.UTF_8).length)
        .isBetween(WireProtocol.MAX_LINE_BYTES - 2, WireProtocol.MAX_LINE_BYTES);
    assertThat(((LeaseRequest) WireProtocol.parseRequest(line)).holder().name())
        .matches("\u20ac+");
  }
}
