package io.github.pgisolated.core.internal.embedded;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fetches binaries jars and their version lists from a Maven repository over HTTP: Maven Central
 * unless the system property {@value #URL_PROPERTY} names a mirror.
 *
 * <p>Downloads go to a temporary file next to the target, are checked against the published
 * {@code .sha1}, and are then moved into place atomically, so a reader never sees half a jar.
 */
public final class MavenCentral {

  public static final String URL_PROPERTY = "pgisolated.embedded.repository-url";
  public static final String DEFAULT_URL = "https://repo1.maven.org/maven2";

  private static final Pattern VERSION = Pattern.compile("<version>\\s*([^<\\s]+)\\s*</version>");

  private final String baseUrl;
  private volatile HttpClient client;

  public MavenCentral(String baseUrl) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
  }

  /** The repository named by {@value #URL_PROPERTY}, else Maven Central. */
  public static MavenCentral fromSystemProperties() {
    return new MavenCentral(System.getProperty(URL_PROPERTY, DEFAULT_URL));
  }

  public String baseUrl() {
    return baseUrl;
  }

  /** The {@code maven-metadata.xml} of a binaries artifact, as text. */
  public String metadata(String artifactId) throws IOException {
    return new String(get(artifactDirectory(artifactId) + "/maven-metadata.xml"),
        StandardCharsets.UTF_8);
  }

  /** The versions listed in a {@code maven-metadata.xml}. */
  public static List<String> versionsIn(String metadata) {
    List<String> versions = new ArrayList<>();
    Matcher matcher = VERSION.matcher(metadata);
    while (matcher.find()) {
      versions.add(matcher.group(1));
    }
    return versions;
  }

  /** The URL of a binaries jar. */
  public String jarUrl(String artifactId, String version) {
    return artifactDirectory(artifactId) + "/" + version + "/" + artifactId + "-" + version
        + ".jar";
  }

  /** Downloads a binaries jar to {@code target}, verified against its {@code .sha1}. */
  public void download(String artifactId, String version, Path target) throws IOException {
    String url = jarUrl(artifactId, version);
    String expected = new String(get(url + ".sha1"), StandardCharsets.US_ASCII).trim()
        .split("\\s+")[0].toLowerCase(Locale.ROOT);
    byte[] jar = get(url);
    String actual = sha1(jar);
    if (!actual.equals(expected)) {
      throw new IOException("Checksum mismatch for " + url + ": SHA-1 " + actual + ", expected "
          + expected + " (a proxy or a truncated download?)");
    }
    Locations.createDirectories(target.getParent());
    Path temp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".part");
    try {
      Files.write(temp, jar);
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private String artifactDirectory(String artifactId) {
    return baseUrl + "/" + Platform.GROUP_ID.replace('.', '/') + "/" + artifactId;
  }

  private byte[] get(String url) throws IOException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofMinutes(5))
        .header("User-Agent", "pgisolated")
        .GET()
        .build();
    try {
      HttpResponse<byte[]> response = client().send(request,
          HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() != 200) {
        throw new IOException("GET " + url + " returned HTTP " + response.statusCode());
      }
      return response.body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted while downloading " + url, e);
    } catch (IOException e) {
      throw e.getMessage() != null && e.getMessage().contains(url) ? e
          : new IOException("GET " + url + " failed: " + e, e);
    }
  }

  private HttpClient client() {
    HttpClient current = client;
    if (current == null) {
      current = HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(10))
          .followRedirects(HttpClient.Redirect.NORMAL)
          .build();
      client = current;
    }
    return current;
  }

  private static String sha1(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required of every JVM", e);
    }
  }
}
