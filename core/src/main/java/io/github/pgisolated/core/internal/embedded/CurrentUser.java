package io.github.pgisolated.core.internal.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Who this JVM runs as. Root matters because PostgreSQL refuses to run as root, so the launcher
 * then runs it as another account ({@link RunAsAccount}).
 *
 * <p>The effective uid comes from {@code /proc/self/status} on Linux; elsewhere (macOS) from
 * {@code com.sun.security.auth.module.UnixSystem} when that JDK module is present, and last from
 * {@code id -u}. The answer is computed once per JVM.
 */
public final class CurrentUser {

  private static volatile Long uid;

  private CurrentUser() {}

  /** Whether the JVM's effective uid is 0. */
  public static boolean isRoot() {
    return uid() == 0;
  }

  /** The effective uid, or -1 if it cannot be found out (treated as not root). */
  public static long uid() {
    Long known = uid;
    if (known == null) {
      known = findUid();
      uid = known;
    }
    return known;
  }

  /** The user name for paths such as {@code /dev/shm/pgisolated-<user>}, safe as a file name. */
  public static String name() {
    String name = System.getProperty("user.name", "");
    String safe = name.replaceAll("[^A-Za-z0-9._-]", "_");
    return safe.isEmpty() || safe.startsWith(".") ? "uid" + uid() : safe;
  }

  private static long findUid() {
    Path status = Path.of("/proc/self/status");
    if (Files.isReadable(status)) {
      try {
        for (String line : Files.readAllLines(status)) {
          if (line.startsWith("Uid:")) {
            // Uid: real effective saved filesystem
            return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
          }
        }
      } catch (IOException | RuntimeException e) {
        // Fall through to the other ways.
      }
    }
    try {
      Class<?> unixSystem = Class.forName("com.sun.security.auth.module.UnixSystem");
      Object system = unixSystem.getConstructor().newInstance();
      return (Long) unixSystem.getMethod("getUid").invoke(system);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      // Module not in this runtime.
    }
    Commands.Result id = Commands.run(List.of("id", "-u"), Duration.ofSeconds(10));
    if (id.succeeded()) {
      try {
        return Long.parseLong(id.output().trim());
      } catch (NumberFormatException e) {
        // Fall through.
      }
    }
    return "root".equals(System.getProperty("user.name")) ? 0 : -1;
  }
}
