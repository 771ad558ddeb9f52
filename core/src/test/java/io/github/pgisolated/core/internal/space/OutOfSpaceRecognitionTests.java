package io.github.pgisolated.core.internal.space;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.core.TemplateBuildException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/**
 * Which failures count as a full disk, with the messages PostgreSQL 18 and the file system give
 * (measured on a full tmpfs: see {@link OutOfSpace}); the real thing is in {@code OutOfSpaceTests}.
 */
class OutOfSpaceRecognitionTests {
  @Test
  void diskFullFromPostgresIsOutOfSpaceEvenWrappedAndItsMessageIsKept() {
    SQLException diskFull = new SQLException("ERROR: could not write to file \"base/16400/2753_fsm\": No space left "
        + "on device", "53100");
    TemplateBuildException wrapped = new TemplateBuildException("Template script s.sql failed", diskFull);
    assertThat(OutOfSpace.is(wrapped)).isTrue();
    assertThat(OutOfSpace.message(wrapped)).isEqualTo("ERROR: could not write to file \"base/16400/2753_fsm\": No "
        + "space left on device (SQLSTATE 53100)");
  }

  @Test
  void noSpaceLeftOnDeviceFromTheFileSystemIsOutOfSpace() {
    assertThat(OutOfSpace.is(new UncheckedIOException(new IOException("/dev/shm/x/data/base: No space left on device"))))
        .isTrue();
    assertThat(OutOfSpace.is(new SQLException("could not write block 7 of temporary file: No space left on device",
        "58030"))).isTrue();
  }

  @Test
  void otherResourceShortagesAndErrorsAreNot() {
    assertThat(OutOfSpace.is(new SQLException("sorry, too many clients already", "53300"))).isFalse();
    assertThat(OutOfSpace.is(new SQLException("out of memory", "53200"))).isFalse();
    assertThat(OutOfSpace.is(new SQLException("relation \"x\" does not exist", "42P01"))).isFalse();
    assertThat(OutOfSpace.is(new IOException("Permission denied"))).isFalse();
  }

  @Test
  void aCauseChainThatLoopsEnds() {
    RuntimeException a = new RuntimeException("a");
    RuntimeException b = new RuntimeException("b", a);
    a.initCause(b);
    assertThat(OutOfSpace.is(a)).isFalse();
  }
}
