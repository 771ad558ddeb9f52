package io.github.pgisolated.core.internal.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarExtractorTests {

  @TempDir
  Path temp;

  @Test
  void extractsFilesDirectoriesAndRelativeSymlinksWithTheirModes() throws IOException {
    byte[] tar = new TarBuilder()
        .directory("lib/", 0755)
        .file("lib/libpq.so.5.18", "library", 0755)
        .symlink("lib/libpq.so.5", "libpq.so.5.18")
        .file("bin/initdb", "#!/bin/sh\n", 0755)
        .file("share/postgres.bki", "catalog", 0644)
        .hardlink("share/copy.bki", "share/postgres.bki")
        .build();
    Path target = temp.resolve("out");

    int entries = TarExtractor.extract(new ByteArrayInputStream(tar), target);

    assertThat(entries).isEqualTo(6);
    assertThat(target.resolve("lib/libpq.so.5")).isSymbolicLink().hasContent("library");
    assertThat(Files.readSymbolicLink(target.resolve("lib/libpq.so.5")))
        .isEqualTo(Path.of("libpq.so.5.18"));
    assertThat(PosixFilePermissions.toString(
        Files.getPosixFilePermissions(target.resolve("bin/initdb")))).isEqualTo("rwxr-xr-x");
    assertThat(PosixFilePermissions.toString(
        Files.getPosixFilePermissions(target.resolve("share/postgres.bki"))))
        .isEqualTo("rw-r--r--");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target.resolve("bin"))))
        .as("a directory the archive does not list").isEqualTo("rwxr-xr-x");
    assertThat(target.resolve("share/copy.bki")).hasContent("catalog");
  }

  @Test
  void readsGnuLongNamesAndPaxPaths() throws IOException {
    String longName = "share/" + "d".repeat(120) + "/file.txt";
    String paxName = "share/" + "p".repeat(150) + ".sql";
    byte[] tar = new TarBuilder()
        .gnuLongName(longName).file("ignored-short-name", "gnu", 0644)
        .pax("path", paxName).file("ignored-too", "pax", 0644)
        .build();

    TarExtractor.extract(new ByteArrayInputStream(tar), temp);

    assertThat(temp.resolve(longName)).hasContent("gnu");
    assertThat(temp.resolve(paxName)).hasContent("pax");
  }

  @Test
  void readsWhatGnuTarWritesInGnuAndPaxFormats() throws Exception {
    Path tarCommand = Commands.find("tar");
    assumeTrue(tarCommand != null, "tar is not installed");
    Path source = temp.resolve("src");
    String deep = "a".repeat(60) + "/" + "b".repeat(60) + "/" + "c".repeat(60) + ".txt";
    Files.createDirectories(source.resolve(deep).getParent());
    Files.writeString(source.resolve(deep), "deep");
    Files.createSymbolicLink(source.resolve("link-" + "l".repeat(110)), Path.of(deep));
    for (String format : new String[] {"gnu", "pax"}) {
      Path archive = temp.resolve(format + ".tar");
      Process process = new ProcessBuilder(tarCommand.toString(), "--format=" + format, "-cf",
          archive.toString(), "-C", source.toString(), ".").inheritIO().start();
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).isZero();
      Path target = temp.resolve("out-" + format);

      try (InputStream in = Files.newInputStream(archive)) {
        TarExtractor.extract(in, target);
      }

      assertThat(target.resolve(deep)).as(format).hasContent("deep");
      assertThat(target.resolve("link-" + "l".repeat(110))).as(format).isSymbolicLink()
          .hasContent("deep");
    }
  }

  @Test
  void rejectsEntriesThatClimbOutOfTheTarget() {
    byte[] tar = new TarBuilder().file("bin/../../escaped", "x", 0644).build();

    assertThatThrownBy(() -> TarExtractor.extract(new ByteArrayInputStream(tar),
        temp.resolve("out")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("bin/../../escaped")
        .hasMessageContaining("path traversal");
    assertThat(temp.resolve("escaped")).doesNotExist();
  }

  @Test
  void rejectsAbsolutePaths() {
    byte[] tar = new TarBuilder().file("/tmp/absolute-from-tar", "x", 0644).build();

    assertThatThrownBy(() -> TarExtractor.extract(new ByteArrayInputStream(tar), temp))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("absolute");
  }

  @Test
  void rejectsSymlinksPointingOutsideTheTarget() {
    byte[] relative = new TarBuilder().symlink("lib/evil", "../../outside").build();
    byte[] absolute = new TarBuilder().symlink("evil", "/etc").build();

    assertThatThrownBy(() -> TarExtractor.extract(new ByteArrayInputStream(relative),
        temp.resolve("a")))
        .isInstanceOf(IOException.class).hasMessageContaining("path traversal");
    assertThatThrownBy(() -> TarExtractor.extract(new ByteArrayInputStream(absolute),
        temp.resolve("b")))
        .isInstanceOf(IOException.class).hasMessageContaining("path traversal");
    assertThat(temp.resolve("a/lib/evil")).doesNotExist();
  }

  @Test
  void neverWritesThroughASymlinkEvenOneInside() {
    byte[] tar = new TarBuilder()
        .directory("real/", 0755)
        .symlink("alias", "real")
        .file("alias/file", "x", 0644)
        .build();

    assertThatThrownBy(() -> TarExtractor.extract(new ByteArrayInputStream(tar), temp))
        .isInstanceOf(IOException.class).hasMessageContaining("symbolic link");
  }

  @Test
  void rejectsACorruptHeader() {
    byte[] tar = new TarBuilder().file("a", "x", 0644).corruptLastHeader().build();

    assertThatThrownBy(() -> TarExtractor.extract(new ByteArrayInputStream(tar), temp))
        .isInstanceOf(IOException.class).hasMessageContaining("checksum");
  }

  @Test
  void rejectsATruncatedArchive() {
    byte[] full = new TarBuilder().file("a", "y".repeat(2000), 0644).build();
    byte[] truncated = java.util.Arrays.copyOf(full, 1024);

    assertThatThrownBy(() -> TarExtractor.extract(new ByteArrayInputStream(truncated), temp))
        .isInstanceOf(IOException.class).hasMessageContaining("Truncated");
  }
}
