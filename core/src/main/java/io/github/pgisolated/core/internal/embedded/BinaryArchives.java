package io.github.pgisolated.core.internal.embedded;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;

/**
 * Finds the binaries archive for a PostgreSQL version, in this order: the zonky jar on the
 * classpath (when its version is the one asked for), the local Maven repository ({@code
 * maven.repo.local} or {@code ~/.m2/repository}), jars downloaded earlier into {@code
 * <base>/downloads/}, and last Maven Central ({@link MavenCentral}).
 *
 * <p>A major version ({@code 17}) resolves to the classpath jar when it is of that major, else to
 * the newest release in Central's {@code maven-metadata.xml} (cached for a day in {@code
 * downloads/}), and offline to the newest release of that major found locally. The classpath
 * jar's version comes from its {@code META-INF/maven/.../pom.properties} when present, else from
 * its file name (the 18.6.0 jars carry no pom.properties).
 */
public final class BinaryArchives {

  private static final Pattern JAR_VERSION =
      Pattern.compile("-(\\d+\\.\\d+\\.\\d+(?:-\\d+)?)\\.jar$");
  private static final Duration METADATA_MAX_AGE = Duration.ofDays(1);

  private final Platform platform;
  private final Path baseDirectory;
  private final MavenCentral central;
  private final ClassLoader classLoader;
  private final Path localRepository;

  public BinaryArchives(Platform platform, Path baseDirectory, MavenCentral central,
      ClassLoader classLoader, Path localRepository) {
    this.platform = platform;
    this.baseDirectory = baseDirectory;
    this.central = central;
    this.classLoader = classLoader;
    this.localRepository = localRepository;
  }

  /** The archives for this JVM: its class loader, local repository and Central (or mirror). */
  public static BinaryArchives forThisJvm(Platform platform, Path baseDirectory) {
    String local = System.getProperty("maven.repo.local");
    Path repository = local != null && !local.isBlank() ? Path.of(local)
        : Path.of(System.getProperty("user.home"), ".m2", "repository");
    return new BinaryArchives(platform, baseDirectory, MavenCentral.fromSystemProperties(),
        BinaryArchives.class.getClassLoader(), repository);
  }

  /** The full version for {@code requested}: itself, or the newest release of a major. */
  public String resolveVersion(String requested) {
    if (requested.indexOf('.') >= 0) {
      return requested;
    }
    String prefix = requested + ".";
    String onClasspath = classpathVersion().orElse(null);
    if (onClasspath != null && onClasspath.startsWith(prefix)) {
      return onClasspath;
    }
    IOException failure;
    try {
      return newest(MavenCentral.versionsIn(metadata()), prefix).orElseThrow(() ->
          new EmbeddedPostgresException("There are no PostgreSQL " + requested + " binaries for "
              + platform.artifactId() + " in " + central.baseUrl() + ". Fix: set "
              + "pgisolated.embedded.version to a published version, e.g. "
              + EmbeddedSettings.DEFAULT_VERSION + "."));
    } catch (IOException e) {
      failure = e;
    }
    return newest(localVersions(), prefix).orElseThrow(() -> new EmbeddedPostgresException(
        "Cannot resolve PostgreSQL " + requested + " to a release: the version list of "
            + platform.artifactId() + " could not be fetched (" + failure.getMessage()
            + ") and no " + requested + ".x binaries are in the local Maven repository or in "
            + baseDirectory + ". Fix: run once with network access, set a full version such as "
            + "pgisolated.embedded.version=" + onClasspathOrDefault(onClasspath)
            + " (bundled), or use pgisolated.postgres=external.", failure));
  }

  /** The version of the binaries jar for this platform on the classpath, if any. */
  public Optional<String> classpathVersion() {
    return classpathArchive().map(ClasspathArchive::version);
  }

  /** Opens the archive ({@code .txz}) of {@code version}, downloading its jar when needed. */
  public InputStream open(String version) throws IOException {
    Optional<ClasspathArchive> onClasspath = classpathArchive()
        .filter(archive -> archive.version().equals(version));
    if (onClasspath.isPresent()) {
      return onClasspath.get().url().openStream();
    }
    Path jar = localJar(version);
    if (jar == null) {
      jar = downloadedJar(version);
      if (!Files.isRegularFile(jar)) {
        try {
          central.download(platform.artifactId(), version, jar);
        } catch (IOException e) {
          throw new EmbeddedPostgresException("PostgreSQL " + version + " binaries for "
              + platform.os() + "-" + platform.archiveArch() + " are neither on the classpath nor "
              + "in " + localRepository + ", and downloading them failed: " + e.getMessage()
              + ". Fix: run once with network access, fetch them with `mvn dependency:get "
              + "-Dartifact=" + Platform.GROUP_ID + ":" + platform.artifactId() + ":" + version
              + "`, set pgisolated.embedded.version="
              + onClasspathOrDefault(classpathVersion().orElse(null)) + " (bundled), or use "
              + "pgisolated.postgres=external.", e);
        }
      }
    }
    return openInJar(jar);
  }

  private InputStream openInJar(Path jar) throws IOException {
    JarFile file = new JarFile(jar.toFile());
    ZipEntry entry = file.getEntry(platform.archiveName());
    if (entry == null) {
      file.close();
      throw new IOException(jar + " has no " + platform.archiveName());
    }
    return new FilterInputStream(file.getInputStream(entry)) {
      @Override
      public void close() throws IOException {
        try {
          super.close();
        } finally {
          file.close();
        }
      }
    };
  }

  private Path localJar(String version) {
    Path jar = localRepository.resolve(Platform.GROUP_ID.replace('.', '/'))
        .resolve(platform.artifactId()).resolve(version)
        .resolve(platform.artifactId() + "-" + version + ".jar");
    return Files.isRegularFile(jar) ? jar : null;
  }

  private Path downloadedJar(String version) {
    return baseDirectory.resolve("downloads").resolve(platform.artifactId() + "-" + version
        + ".jar");
  }

  private String metadata() throws IOException {
    Path cached = baseDirectory.resolve("downloads")
        .resolve(platform.artifactId() + "-maven-metadata.xml");
    if (Files.isRegularFile(cached) && Files.getLastModifiedTime(cached).toInstant()
        .isAfter(Instant.now().minus(METADATA_MAX_AGE))) {
      return Files.readString(cached);
    }
    String metadata = central.metadata(platform.artifactId());
    try {
      Locations.createDirectories(cached.getParent());
      Path temp = Files.createTempFile(cached.getParent(), "metadata", ".part");
      Files.writeString(temp, metadata);
      Files.move(temp, cached, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      Files.setLastModifiedTime(cached, FileTime.from(Instant.now()));
    } catch (IOException e) {
      // Caching is an optimisation only.
    }
    return metadata;
  }

  /** Versions available without network: extracted, in the local repository, downloaded. */
  private List<String> localVersions() {
    List<String> versions = new ArrayList<>();
    String suffix = "-" + platform.os() + "-" + platform.archiveArch();
    for (Path dir : list(baseDirectory.resolve("binaries"))) {
      String name = dir.getFileName().toString();
      if (name.endsWith(suffix) && Files.exists(dir.resolve(BinaryCache.COMPLETE_MARKER))) {
        versions.add(name.substring(0, name.length() - suffix.length()));
      }
    }
    for (Path dir : list(localRepository.resolve(Platform.GROUP_ID.replace('.', '/'))
        .resolve(platform.artifactId()))) {
      if (localJar(dir.getFileName().toString()) != null) {
        versions.add(dir.getFileName().toString());
      }
    }
    for (Path jar : list(baseDirectory.resolve("downloads"))) {
      Matcher matcher = JAR_VERSION.matcher(jar.getFileName().toString());
      if (jar.getFileName().toString().startsWith(platform.artifactId() + "-")
          && matcher.find()) {
        versions.add(matcher.group(1));
      }
    }
    classpathVersion().ifPresent(versions::add);
    return versions;
  }

  static Optional<String> newest(List<String> versions, String prefix) {
    return versions.stream().filter(v -> v.startsWith(prefix) && v.matches("[\\d.-]+"))
        .max(Comparator.comparing(BinaryArchives::versionKey, BinaryArchives::compareKeys));
  }

  private static long[] versionKey(String version) {
    String[] parts = version.split("[.-]");
    long[] key = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      key[i] = Long.parseLong(parts[i]);
    }
    return key;
  }

  private static int compareKeys(long[] a, long[] b) {
    for (int i = 0; i < Math.max(a.length, b.length); i++) {
      long x = i < a.length ? a[i] : -1;
      long y = i < b.length ? b[i] : -1;
      if (x != y) {
        return Long.compare(x, y);
      }
    }
    return 0;
  }

  private record ClasspathArchive(URL url, String version) {}

  private Optional<ClasspathArchive> classpathArchive() {
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    for (ClassLoader loader : context == null || context == classLoader
        ? List.of(classLoader) : List.of(classLoader, context)) {
      try {
        Enumeration<URL> urls = loader.getResources(platform.archiveName());
        while (urls.hasMoreElements()) {
          URL url = urls.nextElement();
          String version = versionOf(url);
          if (version != null) {
            return Optional.of(new ClasspathArchive(url, version));
          }
        }
      } catch (IOException e) {
        // Treated as absent.
      }
    }
    return Optional.empty();
  }

  private String versionOf(URL url) {
    if (!"jar".equals(url.getProtocol())) {
      return null;
    }
    try {
      JarURLConnection connection = (JarURLConnection) url.openConnection();
      connection.setUseCaches(false);
      Path jar = Path.of(connection.getJarFileURL().toURI());
      try (JarFile file = new JarFile(jar.toFile())) {
        ZipEntry properties = file.getEntry("META-INF/maven/" + Platform.GROUP_ID + "/"
            + platform.artifactId() + "/pom.properties");
        if (properties != null) {
          Properties pom = new Properties();
          try (InputStream in = file.getInputStream(properties)) {
            pom.load(new java.io.InputStreamReader(in, StandardCharsets.ISO_8859_1));
          }
          if (pom.getProperty("version") != null) {
            return pom.getProperty("version");
          }
        }
      }
      Matcher matcher = JAR_VERSION.matcher(jar.getFileName().toString());
      return matcher.find() ? matcher.group(1) : null;
    } catch (IOException | URISyntaxException | RuntimeException e) {
      return null;
    }
  }

  private static List<Path> list(Path directory) {
    List<Path> entries = new ArrayList<>();
    if (Files.isDirectory(directory)) {
      try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
        stream.forEach(entries::add);
      } catch (IOException e) {
        // Nothing usable there.
      }
    }
    return entries;
  }

  private static String onClasspathOrDefault(String onClasspath) {
    return onClasspath != null ? onClasspath : EmbeddedSettings.DEFAULT_VERSION;
  }
}
