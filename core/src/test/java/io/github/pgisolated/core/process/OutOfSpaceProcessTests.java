package io.github.pgisolated.core.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgisolated.core.DatabaseLease;
import io.github.pgisolated.core.PgIsolatedPool;
import io.github.pgisolated.core.SmallDisk;
import io.github.pgisolated.core.TemplateDefinition;
import io.github.pgisolated.core.TestPostgres;
import io.github.pgisolated.core.UnableToLeaseDatabaseException;
import io.github.pgisolated.core.internal.engine.PoolEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk seen from another JVM: this JVM is the coordinator and fills a small tmpfs of its
 * own ({@link SmallDisk}) with clones it holds; a worker JVM that needs another template of that
 * size then fails saying where the disk is full, how much is left and what to lower, and, once
 * this JVM gives its clones back, a worker gets databases of the first template from the room
 * they leave.
 */
class OutOfSpaceProcessTests {
  private static final Pattern DONE = Pattern.compile("DONE leases=(\\d+) violations=(\\d+) .*");

  @TempDir
  Path logs;

  @Test
  void aWorkerJvmGetsTheCoordinatorsOutOfSpaceErrorAndLeasesOnceRoomIsGivenBack() throws Exception {
    try (SmallDisk disk = SmallDisk.mount(150)) {
      Map<String, String> settings = new HashMap<>(disk.settings());
      settings.put("pgisolated.pool.initial-size", "1");
      settings.put("pgisolated.pool.max-size", "30");
      settings.put("pgisolated.pool.max-databases", "30");
      settings.put("pgisolated.lease-timeout", "6s");
      settings.put("pgisolated.prefetch", "false");
      String hashInput = "out-of-space-" + UUID.randomUUID();
      // The workers lease from the same template: 17 MB a clone, so that only a few fit.
      settings.put("worker.script", "db/space-filler.sql");
      TemplateDefinition big = TemplateDefinition.builder().scripts("db/space-filler.sql").hashInput(hashInput).build();
      try (PgIsolatedPool pool = PgIsolatedPool.start(TestPostgres.config(settings))) {
        List<DatabaseLease> held = new ArrayList<>();
        boolean full = false;
        while (!full && held.size() < 12) {
          try {
            held.add(pool.lease(big, Duration.ofSeconds(6)));
          } catch (UnableToLeaseDatabaseException e) {
            full = true;
          }
        }
        assertThat(full).as("the disk filled up with " + held.size() + " clones").isTrue();
        assertThat(((PoolEngine) pool).isCoordinator()).isTrue();

        // Another template of the same size: no room to build it, nor a clone of it to recycle.
        Path refusedLog = logs.resolve("refused.log");
        try (ChildJvm refused = ChildJvm.start("refused", LeaseWorker.class, settings, refusedLog, hashInput + "-other",
            "1", "0", "1")) {
          assertThat(refused.waitFor(Duration.ofSeconds(90))).as("the worker's exit code").isNotZero();
        }
        assertThat(Files.readString(refusedLog)).containsIgnoringCase("out of disk space in " + disk.dataDirectory())
            .contains("MB usable of", "pgisolated.pool.max-size", "pgisolated.embedded.data-directory");

        for (DatabaseLease lease : held) {
          lease.close();
        }
        try (ChildJvm worker = ChildJvm.start("worker", LeaseWorker.class, settings, logs.resolve("worker.log"),
            hashInput, "3", "0", "1")) {
          Matcher done = worker.await(DONE, Duration.ofSeconds(90));
          assertThat(done.group(1)).as("leases").isEqualTo("3");
          assertThat(done.group(2)).as("violations").isEqualTo("0");
          assertThat(worker.waitFor(Duration.ofSeconds(60))).isZero();
        }
      }
    }
  }
}
