package io.github.pgisolated.core.internal.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

class BinaryCacheTests {

  private static final Platform PLATFORM = Platform.current();

  @TempDir
  Path temp;

  @Test
  void twoJvmsExtractingIntoAFreshBaseExtractOnce() throws Exception {
    Path base = temp.resolve("base");
    Path go = temp.resolve("go");
    List<Process> children = new ArrayList<>();
    List<Path> outputs = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Path output = temp.resolve("child-" + i + ".out");
      outputs.add(output);
      children.add(ChildJvm.launch(output, "extract", base.toString(), go.toString()));
    }
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      while (countReady() < 2) {
        Thread.sleep(10);
      }
    }, "child JVMs did not get ready");
    Files.createFile(go);

    List<String> results = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      String output = ChildJvm.await(children.get(i), outputs.get(i));
      results.add(output.contains("EXTRACTED") ? "EXTRACTED" : output.contains("REUSED")
          ? "REUSED" : output);
    }

    assertThat(results).containsExactlyInAnyOrder("EXTRACTED", "REUSED");
    Path home = base.resolve("binaries").resolve(PLATFORM.installationName("18.6.0"));
    assertThat(home.resolve(BinaryCache.COMPLETE_MARKER)).exists();
    assertThat(home.resolve("bin/postgres")).isExecutable();
    assertThat(home.resolve("lib/libpq.so.5")).isSymbolicLink();
    try (var siblings = Files.list(base.resolve("binaries"))) {
      assertThat(siblings.map(p -> p.getFileName().toString()))
          .as("no temporary directory left").noneMatch(name -> name.contains(".tmp-"));
    }
  }

  @Test
  void threadsOfOneJvmExtractOnceAndAllGetTheInstallation() throws Exception {
    AtomicInteger opened = new AtomicInteger();
    byte[] archive = txz(new TarBuilder().file("bin/postgres", "fake", 0755).build());
    int threads = 4;
    CyclicBarrier barrier = new CyclicBarrier(threads);
    ExecutorService executor = Executors.newFixedThreadPool(threads);
    try {
      List<Future<BinaryCache.Installation>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        results.add(executor.submit(() -> {
          barrier.await(30, TimeUnit.SECONDS);
          return BinaryCache.install(temp, PLATFORM, "99.1.0", () -> {
            opened.incrementAndGet();
            return new ByteArrayInputStream(archive);
          });
        }));
      }
      for (Future<BinaryCache.Installation> result : results) {
        assertThat(result.get(60, TimeUnit.SECONDS).bin("postgres")).hasContent("fake");
      }
    } finally {
      executor.shutdownNow();
    }
    assertThat(opened).hasValue(1);
  }

  @Test
  void leftoversOfACrashedExtractionAreReplaced() throws Exception {
    Path binaries = Files.createDirectories(temp.resolve("binaries"));
    Path home = binaries.resolve(PLATFORM.installationName("99.2.0"));
    Files.createDirectories(home.resolve("bin"));
    Files.writeString(home.resolve("bin/postgres"), "half written");
    Path crashedTemp = Files.createDirectories(binaries.resolve(home.getFileName() + ".tmp-x"));
    byte[] archive = txz(new TarBuilder().file("bin/postgres", "complete", 0755).build());

    BinaryCache.Installation installation = BinaryCache.install(temp, PLATFORM, "99.2.0",
        () -> new ByteArrayInputStream(archive));

    assertThat(installation.bin("postgres")).hasContent("complete");
    assertThat(installation.extractedMillis()).isPositive();
    assertThat(crashedTemp).doesNotExist();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
        installation.bin("postgres")))).isEqualTo("rwxr-xr-x");
  }

  private int countReady() throws IOException {
    try (var files = Files.list(temp)) {
      return (int) files.filter(f -> f.getFileName().toString().startsWith("ready-")).count();
    }
  }

  private static byte[] txz(byte[] tar) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (XZOutputStream xz = new XZOutputStream(out, new LZMA2Options())) {
      xz.write(tar);
    }
    return out.toByteArray();
  }
}
