package io.github.pgisolated.core.internal.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.pgisolated.core.InvalidConfigurationException;
import io.github.pgisolated.core.internal.embedded.CurrentUser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the coordinator lives, and why nobody else can get in. */
class CoordinatorDirectoryTests {

  @TempDir
  Path temp;

  @Test
  void theDirectoryIsNamedAfterTheTargetsHash() throws Exception {
    CoordinatorDirectory directory = CoordinatorDirectory.forTarget(temp, "embedded:/data/16");

    String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest("embedded:/data/16".getBytes(StandardCharsets.UTF_8)));
    assertThat(directory.directory()).isEqualTo(temp.resolve(sha256.substring(0, 12)));
    assertThat(directory.lockFile()).isEqualTo(directory.directory().resolve("lock"));
    assertThat(directory.socketFile()).isEqualTo(directory.directory().resolve("socket"));
    assertThat(directory.coordinatorFile()).isEqualTo(directory.directory().resolve("coordinator"));
    assertThat(CoordinatorDirectory.forTarget(temp, "external:db:5432").directory())
        .isNotEqualTo(directory.directory());
  }

  @Test
  void theBaseAndTheDirectoryAreCreatedForTheOwnerOnly() throws Exception {
    Path base = temp.resolve("a").resolve("base");

    CoordinatorDirectory directory = CoordinatorDirectory.forTarget(base, "target");

    assertThat(Files.getPosixFilePermissions(base))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    assertThat(Files.getPosixFilePermissions(directory.directory()))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
  }

  @Test
  void theDefaultBaseIsInTheTemporaryDirectoryNamedAfterTheUser() {
    assertThat(CoordinatorDirectory.defaultBase()).isEqualTo(
        Path.of(System.getProperty("java.io.tmpdir"), "pgisolated-" + CurrentUser.name()));
  }

  @Test
  void aWorldWritableBaseIsRefused() throws Exception {
    Path base = Files.createDirectory(temp.resolve("base"));
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxrwxrwx"));

    assertThatThrownBy(() -> CoordinatorDirectory.forTarget(base, "target"))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessage("The coordinator directory " + base + " has mode 0777: group or others can "
            + "write to it, so another user could replace the coordinator socket; it is not used. "
            + "Run chmod 700 " + base + ", or set pgisolated.coordinator.directory to a directory "
            + "only you can write.");
  }

  @Test
  void aGroupWritableCoordinatorDirectoryIsRefused() throws Exception {
    CoordinatorDirectory directory = CoordinatorDirectory.forTarget(temp, "target");
    Files.setPosixFilePermissions(directory.directory(), PosixFilePermissions.fromString("rwxrwx---"));

    assertThatThrownBy(() -> CoordinatorDirectory.forTarget(temp, "target"))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining(directory.directory() + " has mode 0770");
  }

  @Test
  void aBaseOwnedByAnotherUserIsRefused() throws Exception {
    assumeTrue(CurrentUser.isRoot(), "only root can give a directory away");
    Path base = Files.createDirectory(temp.resolve("base"));
    Files.setAttribute(base, "unix:uid", 1000);

    assertThatThrownBy(() -> CoordinatorDirectory.forTarget(base, "target"))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessage("The coordinator directory " + base + " belongs to uid 1000, not to this user "
            + "(uid 0): another user could take over the coordinator socket and hand this build "
            + "databases it does not own, so it is not used. If it is a leftover of yours, remove "
            + "it; otherwise set pgisolated.coordinator.directory to a directory only you can "
            + "write.");
  }

  @Test
  void aLinkToAnotherUsersDirectoryIsRefused() throws Exception {
    assumeTrue(CurrentUser.isRoot(), "only root can give a directory away");
    Path theirs = Files.createDirectory(temp.resolve("theirs"));
    Files.setAttribute(theirs, "unix:uid", 1000);
    Path link = Files.createSymbolicLink(temp.resolve("link"), theirs);

    assertThatThrownBy(() -> CoordinatorDirectory.forTarget(link, "target"))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining(link + " belongs to uid 1000");
  }

  @Test
  void aLinkOfOursToADirectoryOfOursIsFollowed() throws Exception {
    Path ours = Files.createDirectory(temp.resolve("ours"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path link = Files.createSymbolicLink(temp.resolve("link"), ours);

    CoordinatorDirectory directory = CoordinatorDirectory.forTarget(link, "target");

    assertThat(Files.isDirectory(ours.resolve(directory.directory().getFileName()))).isTrue();
  }

  @Test
  void aFileWhereTheDirectoryBelongsIsRefused() throws Exception {
    Path base = Files.writeString(temp.resolve("base"), "not a directory");

    assertThatThrownBy(() -> CoordinatorDirectory.forTarget(base, "target"))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining(base + " exists but is not a directory");
  }

  @Test
  void aSocketPathTooLongForTheKernelIsRefusedWithTheFix() {
    Path base = temp.resolve("x".repeat(120));

    assertThatThrownBy(() -> CoordinatorDirectory.forTarget(base, "target"))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("Unix domain socket paths are limited to ")
        .hasMessageContaining("Set pgisolated.coordinator.directory to a shorter directory");
    assertThat(base).as("nothing created").doesNotExist();
  }
}
