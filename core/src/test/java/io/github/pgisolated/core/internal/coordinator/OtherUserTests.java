package io.github.pgisolated.core.internal.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.pgisolated.core.internal.embedded.CurrentUser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Another OS user cannot lease from this user's coordinator: the 0700 directory keeps it from
 * connecting, and if the permissions are opened anyway (only this test does that), the server
 * checks the peer's credentials and answers FORBIDDEN. The intruder is {@link OtherUserProbe},
 * run as uid {@value #OTHER_UID} with {@code setpriv}; needs root and such an account.
 */
class OtherUserTests {

  private static final int OTHER_UID = 1000;

  private Path probeClasses;
  private Path base;
  private TestCoordinator coordinator;

  @BeforeEach
  void startCoordinatorAndProbe() throws Exception {
    assumeTrue(CurrentUser.isRoot(), "running a probe as another user needs root; this JVM runs "
        + "as uid " + CurrentUser.uid());
    assumeTrue(accountExists(OTHER_UID), "no account with uid " + OTHER_UID + " to run the probe as");
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "no /usr/bin/setpriv");
    probeClasses = worldReadableCopyOfTheProbe();
    // Traversable by others, not writable: the checks accept it, and the probe gets as far as
    // the coordinator directory itself.
    base = Files.createTempDirectory("pgisolated-other-user");
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwx--x--x"));
    coordinator = TestCoordinator.start(base, 1);
  }

  @AfterEach
  void stop() throws IOException {
    if (coordinator != null) {
      coordinator.close();
    }
    deleteTree(base);
    deleteTree(probeClasses);
  }

  @Test
  void anotherUserCannotEvenConnectThroughTheOwnerOnlyDirectory() throws Exception {
    String output = runProbeAsOtherUser();

    assertThat(output).startsWith("CONNECT_FAILED").contains("Permission denied");
    assertThat(coordinator.service.leased()).isZero();
  }

  @Test
  void anotherUserWhoGetsThroughOpenedPermissionsIsForbidden() throws Exception {
    Files.setPosixFilePermissions(coordinator.directory.directory(),
        PosixFilePermissions.fromString("rwx--x--x"));
    Files.setPosixFilePermissions(coordinator.directory.socketFile(),
        PosixFilePermissions.fromString("rw-rw-rw-"));

    String output = runProbeAsOtherUser();

    assertThat(output).startsWith("REPLY ERROR FORBIDDEN this coordinator serves user "
        + System.getProperty("user.name") + " only, and this connection comes from user ");
    assertThat(coordinator.service.leased()).isZero();
    coordinator.awaitIdle();
    assertThat(coordinator.server.isServing()).isTrue();
  }

  private String runProbeAsOtherUser() throws Exception {
    List<String> command = new ArrayList<>(List.of("/usr/bin/setpriv",
        "--reuid=" + OTHER_UID, "--regid=" + OTHER_UID, "--clear-groups",
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:-UsePerfData", "-Xshare:auto", "-cp", probeClasses.toString(),
        OtherUserProbe.class.getName(), coordinator.directory.socketFile().toString()));
    Process process = new ProcessBuilder(command).directory(probeClasses.toFile())
        .redirectErrorStream(true).start();
    try (InputStream output = process.getInputStream()) {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        throw new AssertionError("the probe did not finish within 60 s");
      }
      return new String(output.readAllBytes(), StandardCharsets.UTF_8).trim();
    } finally {
      process.destroyForcibly();
    }
  }

  /** The probe's class file alone, in a directory anyone can read: /root's ~/.m2 is 0700. */
  private static Path worldReadableCopyOfTheProbe() throws IOException {
    Path root = Files.createTempDirectory("pgisolated-probe");
    String resource = OtherUserProbe.class.getName().replace('.', '/') + ".class";
    Path target = root.resolve(resource);
    Files.createDirectories(target.getParent());
    try (InputStream in = OtherUserProbe.class.getClassLoader().getResourceAsStream(resource)) {
      Files.copy(in, target);
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : (Iterable<Path>) paths::iterator) {
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(
            Files.isDirectory(path) ? "rwxr-xr-x" : "rw-r--r--"));
      }
    }
    return root;
  }

  private static boolean accountExists(int uid) throws IOException {
    Path passwd = Path.of("/etc/passwd");
    if (!Files.isReadable(passwd)) {
      return false;
    }
    return Files.readAllLines(passwd).stream()
        .map(line -> line.split(":"))
        .anyMatch(fields -> fields.length > 2 && fields[2].equals(Integer.toString(uid)));
  }

  private static void deleteTree(Path root) throws IOException {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(path);
      }
    }
  }
}
