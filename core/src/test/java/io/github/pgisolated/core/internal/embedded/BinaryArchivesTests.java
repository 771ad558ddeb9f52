package io.github.pgisolated.core.internal.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

class BinaryArchivesTests {

  private static final Platform PLATFORM = Platform.current();
  private static final String UNREACHABLE = "http://127.0.0.1:1/maven2";

  @TempDir
  Path temp;

  private HttpServer repository;
  private final Map<String, byte[]> served = new ConcurrentHashMap<>();

  @BeforeEach
  void startRepository() throws IOException {
    repository = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    repository.createContext("/", exchange -> {
      byte[] body = served.get(exchange.getRequestURI().getPath());
      exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
      if (body != null) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
      exchange.close();
    });
    repository.start();
  }

  @AfterEach
  void stopRepository() {
    repository.stop(0);
  }

  @Test
  void theBinariesJarOfEverySupportedPlatformIsOnTheClasspathWithItsVersion() {
    for (Platform platform : List.of(Platform.of("Linux", "amd64"), Platform.of("Linux", "aarch64"),
        Platform.of("Mac OS X", "x86_64"), Platform.of("Mac OS X", "aarch64"))) {
      assertThat(archives(platform, UNREACHABLE).classpathVersion())
          .as(platform.artifactId()).contains(EmbeddedSettings.DEFAULT_VERSION);
    }
  }

  @Test
  void aMajorResolvesToTheClasspathJarWithoutNetwork() {
    assertThat(archives(PLATFORM, UNREACHABLE).resolveVersion("18")).isEqualTo("18.6.0");
    assertThat(archives(PLATFORM, UNREACHABLE).resolveVersion("18.6.0")).isEqualTo("18.6.0");
  }

  @Test
  void aMajorResolvesToItsNewestReleaseInTheRepositoryAndIsCachedForOfflineUse() {
    served.put(artifactPath("maven-metadata.xml"), metadata("16.9.0", "17.2.0", "17.10.0",
        "17.9.0-1", "170.1.0"));

    assertThat(archives(PLATFORM, url()).resolveVersion("17")).isEqualTo("17.10.0");
    served.clear();
    assertThat(archives(PLATFORM, url()).resolveVersion("17"))
        .as("from the cached metadata").isEqualTo("17.10.0");
  }

  @Test
  void aDownloadedJarIsVerifiedAgainstItsSha1ThenExtracted() throws Exception {
    byte[] jar = binariesJar("bin/postgres", "fake postgres");
    served.put(artifactPath("17.10.0/" + PLATFORM.artifactId() + "-17.10.0.jar"), jar);
    served.put(artifactPath("17.10.0/" + PLATFORM.artifactId() + "-17.10.0.jar.sha1"),
        (sha1(jar) + "  " + PLATFORM.artifactId() + "-17.10.0.jar\n")
            .getBytes(StandardCharsets.US_ASCII));
    BinaryArchives archives = archives(PLATFORM, url());

    BinaryCache.Installation installation = BinaryCache.install(temp.resolve("base"), PLATFORM,
        "17.10.0", () -> archives.open("17.10.0"));

    assertThat(installation.bin("postgres")).hasContent("fake postgres");
    assertThat(installation.home()).endsWith(Path.of("binaries", "17.10.0-linux-x86_64"));
    assertThat(temp.resolve("base/downloads/" + PLATFORM.artifactId() + "-17.10.0.jar"))
        .hasBinaryContent(jar);
  }

  @Test
  void aDownloadThatDoesNotMatchItsSha1IsRejected() throws Exception {
    byte[] jar = binariesJar("bin/postgres", "tampered");
    served.put(artifactPath("17.10.0/" + PLATFORM.artifactId() + "-17.10.0.jar"), jar);
    served.put(artifactPath("17.10.0/" + PLATFORM.artifactId() + "-17.10.0.jar.sha1"),
        "0123456789abcdef0123456789abcdef01234567".getBytes(StandardCharsets.US_ASCII));

    assertThatThrownBy(() -> archives(PLATFORM, url()).open("17.10.0"))
        .isInstanceOf(EmbeddedPostgresException.class)
        .hasMessageContaining("Checksum mismatch")
        .hasMessageContaining("mvn dependency:get");
    assertThat(temp.resolve("base/downloads/" + PLATFORM.artifactId() + "-17.10.0.jar"))
        .doesNotExist();
  }

  @Test
  void theLocalMavenRepositoryIsUsedBeforeDownloading() throws Exception {
    Path local = temp.resolve("m2/io/zonky/test/postgres/" + PLATFORM.artifactId()
        + "/16.9.0/" + PLATFORM.artifactId() + "-16.9.0.jar");
    Files.createDirectories(local.getParent());
    Files.write(local, binariesJar("bin/postgres", "from m2"));
    BinaryArchives archives = archives(PLATFORM, UNREACHABLE);

    assertThat(archives.resolveVersion("16")).as("offline, from what is local")
        .isEqualTo("16.9.0");
    BinaryCache.Installation installation = BinaryCache.install(temp.resolve("base"), PLATFORM,
        "16.9.0", () -> archives.open("16.9.0"));
    assertThat(installation.bin("postgres")).hasContent("from m2");
  }

  @Test
  void offlineWithoutLocalBinariesFailsNamingTheFixes() {
    BinaryArchives archives = archives(PLATFORM, UNREACHABLE);

    assertThatThrownBy(() -> archives.resolveVersion("15"))
        .isInstanceOf(EmbeddedPostgresException.class)
        .hasMessageContaining("15")
        .hasMessageContaining("network")
        .hasMessageContaining("pgisolated.embedded.version=18.6.0")
        .hasMessageContaining("pgisolated.postgres=external");
    assertThatThrownBy(() -> archives.open("15.17.0"))
        .isInstanceOf(EmbeddedPostgresException.class)
        .hasMessageContaining(PLATFORM.artifactId() + ":15.17.0")
        .hasMessageContaining("network");
  }

  private BinaryArchives archives(Platform platform, String url) {
    return new BinaryArchives(platform, temp.resolve("base"), new MavenCentral(url),
        getClass().getClassLoader(), temp.resolve("m2"));
  }

  private String url() {
    return "http://127.0.0.1:" + repository.getAddress().getPort() + "/maven2";
  }

  private static String artifactPath(String rest) {
    return "/maven2/io/zonky/test/postgres/" + PLATFORM.artifactId() + "/" + rest;
  }

  private static byte[] metadata(String... versions) {
    StringBuilder xml = new StringBuilder("<metadata><versioning><versions>");
    for (String version : versions) {
      xml.append("<version>").append(version).append("</version>\n");
    }
    return xml.append("</versions></versioning></metadata>").toString()
        .getBytes(StandardCharsets.UTF_8);
  }

  /** A jar like zonky's: one .txz at the root, holding a tar. */
  private static byte[] binariesJar(String file, String content) throws IOException {
    ByteArrayOutputStream txz = new ByteArrayOutputStream();
    try (XZOutputStream xz = new XZOutputStream(txz, new LZMA2Options())) {
      xz.write(new TarBuilder().file(file, content, 0755).build());
    }
    ByteArrayOutputStream jar = new ByteArrayOutputStream();
    try (JarOutputStream out = new JarOutputStream(jar)) {
      out.putNextEntry(new JarEntry(PLATFORM.archiveName()));
      out.write(txz.toByteArray());
      out.closeEntry();
    }
    return jar.toByteArray();
  }

  private static String sha1(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes));
  }
}
