package io.github.pgisolated.core.process;

import io.github.pgisolated.core.DatabaseLease;
import io.github.pgisolated.core.PgIsolatedPool;
import io.github.pgisolated.core.TemplateDefinition;
import io.github.pgisolated.core.TestPostgres;
import io.github.pgisolated.core.internal.db.DatabaseNames;
import io.github.pgisolated.core.internal.engine.PoolEngine;
import io.github.pgisolated.core.internal.pool.PoolStatistics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The chaos soak: {@code jvms} worker JVMs ({@link LeaseWorker}) lease and give back databases of
 * one template from one shared pool while this driver SIGKILLs one of them at a time and starts a
 * new JVM in its place. Every third kill aims at the coordinator (the second, the fifth, …); the
 * others at a random worker (which may be the coordinator too). Kills are spread evenly over the run by lease count,
 * so that every kill meets a pool under load and the run always makes progress between two.
 *
 * <p>The proof is in the databases: every lease writes its holder row into the database it got
 * and checks that it was the only one, both when leased (the database was fresh) and before it
 * gives it back (nobody else had it meanwhile). A database in two places at once, or one handed
 * out again with a dead holder's row still in it, is a {@code VIOLATION} line: a double lease.
 * A lease that throws is a {@code FAILED} line: after a takeover no lease may fail.
 *
 * <p>After the workers stop, the driver's own pool joins the election (it is then the only JVM,
 * so it coordinates), adopts what is left on the server and must account for every clone of the
 * template there: ready in its pool once the dead holders' clones are recreated, with no clone
 * it does not know ({@code lost}). Then it leases every ready clone at once and checks that each
 * is fresh ({@code dirty} otherwise).
 *
 * <p>The short version runs in {@code mvn verify} ({@code ChaosSoakTests}); the long one is
 * {@code mvn -pl core test -Dtest=ChaosSoakTests -Dsoak.leases=10000 -Dsoak.kills=30
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
final class ChaosSoak {
  private static final Pattern LEASED = Pattern.compile("LEASED (\\S+) (\\S+)");
  private static final Pattern DONE = Pattern.compile("DONE .*");
  private static final String ELECTED = "This JVM coordinates";
  private static final Duration EXIT = Duration.ofSeconds(120);

  /** What to run; {@link #fromSystem} reads {@code -Dsoak.*} over the given defaults. */
  record Settings(int jvms, int threads, int leases, int kills, long holdMillis, int poolInitial, int poolMax,
      Duration limit, long seed) {
    static Settings fromSystem(int leases, int kills) {
      return new Settings(Integer.getInteger("soak.jvms", 4), Integer.getInteger("soak.threads", 2),
          Integer.getInteger("soak.leases", leases), Integer.getInteger("soak.kills", kills),
          Long.getLong("soak.hold-ms", 5), 2, Integer.getInteger("soak.pool-max", 8),
          Duration.ofMinutes(Long.getLong("soak.minutes", 15)), Long.getLong("soak.seed", System.nanoTime()));
    }
  }

  /** What happened; {@link #line()} is the one line the soak prints. */
  record Summary(Settings settings, int leases, int kills, int coordinatorKills, int elections, int doubleLeases,
      int failedLeases, int badExits, boolean settled, int lostDatabases, int dirtyDatabases, int poolReady,
      double p50, double p99, double max, double seconds, List<String> problems) {
    String line() {
      return String.format(Locale.ROOT, "pgisolated-soak: jvms=%d leases=%d kills=%d coordinator_kills=%d elections=%d "
          + "double_leases=%d failed_leases=%d bad_exits=%d lost_databases=%d dirty_databases=%d settled=%s "
          + "pool_ready=%d/%d lease_p50_ms=%.2f lease_p99_ms=%.2f lease_max_ms=%.1f seconds=%.0f seed=%d",
          settings.jvms(), leases, kills, coordinatorKills, elections, doubleLeases, failedLeases, badExits,
          lostDatabases, dirtyDatabases, settled, poolReady, settings.poolMax(), p50, p99, max, seconds,
          settings.seed());
    }
  }

  private final Settings settings;
  private final Path directory;
  private final String hashInput = "soak-" + UUID.randomUUID();
  private final Random random;
  private final List<ChildJvm> incarnations = new ArrayList<>();
  private final Map<ChildJvm, Path> logs = new HashMap<>();
  private final List<String> problems = new ArrayList<>();

  ChaosSoak(Settings settings, Path directory) {
    this.settings = settings;
    this.directory = directory;
    this.random = new Random(settings.seed());
  }

  TemplateDefinition template() {
    return TemplateDefinition.builder().scripts("db/ledger.sql").hashInput(hashInput).build();
  }

  Summary run() throws Exception {
    long started = System.nanoTime();
    ChildJvm[] slots = new ChildJvm[settings.jvms()];
    int kills = 0;
    int coordinatorKills = 0;
    try {
      for (int slot = 0; slot < slots.length; slot++) {
        slots[slot] = start(slot, 0);
      }
      long deadline = started + settings.limit().toNanos();
      int generation = 1;
      while (leases() < settings.leases() || kills < settings.kills()) {
        if (System.nanoTime() - deadline > 0) {
          problems.add("the soak did not finish within " + settings.limit() + ": " + leases() + " leases, " + kills
              + " kills");
          break;
        }
        // Kill number k falls due after k/(kills+1) of the leases.
        if (kills < settings.kills() && leases() >= (long) (kills + 1) * settings.leases() / (settings.kills() + 1)) {
          int victim = kills % 3 == 1 ? coordinatorSlot(slots) : -1;
          if (victim < 0) {
            victim = random.nextInt(slots.length);
          }
          slots[victim].kill();
          kills++;
          if (hasBeenElected(slots[victim])) {
            coordinatorKills++;
          }
          slots[victim] = start(victim, generation++);
        }
        Thread.sleep(20);
      }
      Files.createFile(directory.resolve("stop"));
      int badExits = 0;
      for (ChildJvm jvm : slots) {
        try {
          jvm.await(DONE, EXIT);
          if (jvm.waitFor(EXIT) != 0) {
            badExits++;
            problems.add(jvm + " exited with " + jvm.waitFor(EXIT));
          }
        } catch (AssertionError e) {
          badExits++;
          problems.add(e.getMessage());
        }
      }
      return audit(started, kills, coordinatorKills, badExits);
    } finally {
      for (ChildJvm jvm : incarnations) {
        jvm.close();
      }
    }
  }

  private ChildJvm start(int slot, int generation) throws IOException {
    Map<String, String> config = new HashMap<>();
    config.put("pgisolated.coordinator.directory", directory.resolve("coordinator").toString());
    config.put("pgisolated.pool.initial-size", String.valueOf(settings.poolInitial()));
    config.put("pgisolated.pool.max-size", String.valueOf(settings.poolMax()));
    config.put("pgisolated.lease-timeout", "60s");
    config.put("worker.stop-at", directory.resolve("stop").toString());
    config.put("org.slf4j.simpleLogger.defaultLogLevel", "info");
    String name = "w" + slot + "g" + generation;
    Path log = directory.resolve(name + ".log");
    ChildJvm jvm = ChildJvm.start(name, LeaseWorker.class, config, log, hashInput, "0",
        String.valueOf(settings.holdMillis()), String.valueOf(settings.threads()));
    incarnations.add(jvm);
    logs.put(jvm, log);
    return jvm;
  }

  /** Leases so far, over every JVM that ran, killed ones included. */
  private int leases() {
    int n = 0;
    for (ChildJvm jvm : incarnations) {
      n += (int) jvm.output().stream().filter(l -> l.startsWith("LEASED ")).count();
    }
    return n;
  }

  /** The live worker that won an election (workers only leave by being killed), or -1. */
  private int coordinatorSlot(ChildJvm[] slots) throws IOException {
    for (int slot = 0; slot < slots.length; slot++) {
      if (hasBeenElected(slots[slot])) {
        return slot;
      }
    }
    return -1;
  }

  private boolean hasBeenElected(ChildJvm jvm) throws IOException {
    return elections(jvm) > 0;
  }

  private long elections(ChildJvm jvm) throws IOException {
    Path log = logs.get(jvm);
    if (!Files.exists(log)) {
      return 0;
    }
    try (var lines = Files.lines(log)) {
      return lines.filter(l -> l.contains(ELECTED)).count();
    }
  }

  private Summary audit(long started, int kills, int coordinatorKills, int badExits) throws Exception {
    List<Double> latencies = new ArrayList<>();
    int doubleLeases = 0;
    int failed = 0;
    int elections = 0;
    for (ChildJvm jvm : incarnations) {
      elections += (int) elections(jvm);
      for (String line : jvm.output()) {
        Matcher m = LEASED.matcher(line);
        if (m.matches()) {
          latencies.add(Double.parseDouble(m.group(2)));
        } else if (line.startsWith("VIOLATION ")) {
          doubleLeases++;
          problems.add(jvm + ": " + line);
        } else if (line.startsWith("FAILED ")) {
          failed++;
          problems.add(jvm + ": " + line);
        }
      }
    }
    Collections.sort(latencies);
    Map<String, String> config = Map.of("pgisolated.coordinator.directory", directory.resolve("coordinator").toString(),
        "pgisolated.pool.initial-size", String.valueOf(settings.poolInitial()),
        "pgisolated.pool.max-size", String.valueOf(settings.poolMax()),
        // Recreated, not kept for this JVM's next lease: a kept clone counts as leased.
        "pgisolated.reset", "recreate");
    try (PgIsolatedPool pool = PgIsolatedPool.start(TestPostgres.config(config))) {
      PoolEngine engine = (PoolEngine) pool;
      String hash = engine.templateHash(template());
      try {
        int dirty = 0;
        try (DatabaseLease first = pool.lease(template())) {
          dirty += holderRows(first) == 0 ? 0 : 1;
        }
        if (!engine.isCoordinator()) {
          problems.add("the auditing pool was not elected coordinator after every worker stopped");
        }
        // Settled: nothing leased, recreating or waiting to be dropped, and the server's clones
        // of the template are exactly the pool's ready ones.
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        PoolStatistics stats = engine.statistics(hash);
        int onServer = clonesOnServer(pool, hash);
        boolean settled = false;
        while (!settled && System.nanoTime() < deadline) {
          Thread.sleep(200);
          stats = engine.statistics(hash);
          onServer = clonesOnServer(pool, hash);
          settled = stats != null && stats.leased() == 0 && stats.recreating() == 0 && stats.used() == 0
              && onServer == stats.ready();
        }
        int known = stats == null ? 0 : stats.ready() + stats.leased() + stats.recreating() + stats.used();
        int lost = Math.max(0, onServer - known);
        if (!settled) {
          problems.add("the pool did not settle within 90 s: " + stats + ", " + onServer + " clones on the server");
        }
        int ready = stats == null ? 0 : stats.ready();
        // Every ready clone at once: each must be fresh.
        List<DatabaseLease> all = new ArrayList<>();
        try {
          for (int i = 0; i < ready; i++) {
            DatabaseLease lease = pool.lease(template());
            all.add(lease);
            if (holderRows(lease) != 0) {
              dirty++;
              problems.add(lease.database().databaseName() + " was handed out with a holder row in it");
            }
          }
        } finally {
          for (DatabaseLease lease : all) {
            lease.close();
          }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        return new Summary(settings, latencies.size(), kills, coordinatorKills, elections, doubleLeases, failed, badExits,
            settled, lost, dirty, ready, at(latencies, 0.5), at(latencies, 0.99), at(latencies, 1.0), seconds,
            List.copyOf(problems));
      } finally {
        TestPostgres.dropDatabasesOf(pool, List.of(hash));
      }
    }
  }

  private static int holderRows(DatabaseLease lease) throws SQLException {
    try (Connection c = lease.dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select count(*) from holder")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static int clonesOnServer(PgIsolatedPool pool, String hash) throws SQLException {
    try (Connection admin = TestPostgres.adminConnection(pool);
        PreparedStatement ps = admin.prepareStatement("select count(*) from pg_database where datname like ? and datname <> ?")) {
      ps.setString(1, DatabaseNames.likePattern(hash));
      ps.setString(2, DatabaseNames.template(hash));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  private static double at(List<Double> sorted, double q) {
    if (sorted.isEmpty()) {
      return 0;
    }
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1)));
  }
}
