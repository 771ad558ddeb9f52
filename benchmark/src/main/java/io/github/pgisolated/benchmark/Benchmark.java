package io.github.pgisolated.benchmark;

import io.github.pgisolated.benchmark.Forks.SuiteRun;
import io.github.pgisolated.benchmark.suite.BenchEndpoint;
import io.github.pgisolated.benchmark.suite.BenchWorkload;
import io.github.pgisolated.benchmark.suite.IsolatedOrders;
import io.github.pgisolated.benchmark.suite.OrdersSuite;
import io.github.pgisolated.benchmark.suite.Strategy;
import io.github.pgisolated.core.PgIsolatedConfig;
import io.github.pgisolated.core.TemplateDefinition;
import io.github.pgisolated.core.internal.embedded.EmbeddedPostgres;
import io.github.pgisolated.core.internal.engine.PoolEngine;
import io.github.pgisolated.core.internal.engine.Servers;
import io.github.pgisolated.core.internal.pool.PoolStatistics;
import io.github.pgisolated.core.internal.report.RunReport;
import io.github.pgisolated.core.internal.server.ServerEndpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What per-test isolation costs, in one run on one machine: lease latency on a warm pool (1 JVM
 * and 3 JVMs), recycle cost against the raw SQL, the same suite run four ways with 1 and 3 forks
 * for each workload (small, a larger schema, DDL-heavy), and the time to first test cold and
 * warm. Prints the markdown tables, writes them with one SVG chart per workload to
 * {@code bench.out} and prints the {@code pgisolated-bench:} line last.
 *
 * <p>Run it with {@code mvn -B -q verify -Pbenchmark -pl benchmark -am}. Knobs:
 * {@code -Dbench.rounds} (3), {@code -Dbench.leases} (1000), {@code -Dbench.workloads}
 * ({@code small,large,ddl}; small is required), {@code -Dbench.wait-quiet} (seconds to wait for
 * a load average below 1.5 first, 0); {@code -Dpgisolated.*} properties are passed on to every
 * JVM it starts.
 */
public final class Benchmark {
  private static final Pattern FIRST_LEASE = Pattern.compile("First database leased (\\d+) ms after this JVM started");
  private static final int RAW_CLONES = 40;
  private static final int WARM_STARTS = 3;

  private final Path out;
  private final Path work;
  private final int rounds;
  private final int leases;
  private final TemplateDefinition template = BenchWorkload.SMALL.template();
  private final List<BenchWorkload> workloads;
  /** See {@link #serverCpu}; null until the first suite run. */
  private Optional<ServerCpu> serverCpu;

  private Benchmark(Path out, int rounds, int leases, List<BenchWorkload> workloads) {
    this.workloads = workloads;
    this.out = out;
    this.work = out.resolve("bench");
    this.rounds = rounds;
    this.leases = leases;
  }

  public static void main(String[] args) throws Exception {
    Path out = Path.of(System.getProperty("bench.out", "target")).toAbsolutePath();
    List<BenchWorkload> workloads = Stream.of(System.getProperty("bench.workloads", "small,large,ddl").split(","))
        .map(String::trim).filter(w -> !w.isEmpty()).map(BenchWorkload::of).distinct().toList();
    if (!workloads.contains(BenchWorkload.SMALL)) {
      throw new IllegalArgumentException("-Dbench.workloads must include small: the headline figures are its");
    }
    new Benchmark(out, Integer.getInteger("bench.rounds", 3), Integer.getInteger("bench.leases", 1000), workloads).run();
  }

  private void run() throws Exception {
    awaitQuietMachine(Integer.getInteger("bench.wait-quiet", 0));
    long started = System.nanoTime();
    LocalDate date = LocalDate.now();
    String loadBefore = loadAverage();
    deleteTree(work);
    Files.createDirectories(work.resolve("logs"));
    Path endpointFile = work.resolve("endpoint.properties");
    Map<String, String> common = new LinkedHashMap<>();
    // Runs follow each other at once here: a refill after one would run during the next, measured along.
    common.put("pgisolated.pool.refill", "false");
    common.putAll(pgisolatedProperties());
    common.put(BenchEndpoint.PROPERTY, endpointFile.toString());
    Forks forks = new Forks(work.resolve("logs"), common);

    String server;
    String settings;
    BenchEndpoint endpoint;
    Map<BenchWorkload, Path> endpoints = new java.util.EnumMap<>(BenchWorkload.class);
    Results.Leases oneJvm;
    Results.Leases threeJvms;
    Results.Recycle recycle;
    ServerCosts costs;
    try (PoolEngine pool = PoolEngine.start(PgIsolatedConfig.from(Map.of("pgisolated.pool.refill", "false")))) {
      server = pool.serverDescription();
      PgIsolatedConfig c = pool.config();
      settings = "pgisolated's defaults: pool initial " + c.poolInitialSize() + ", max " + c.poolMaxSize()
          + ", " + c.poolParallelTasks() + " parallel tasks, clone strategy " + c.cloneStrategy().name().toLowerCase(Locale.ROOT);
      String hash = pool.templateHash(template);
      ServerEndpoint e = pool.endpoint();
      endpoint = new BenchEndpoint(e.host(), e.port(), e.user(), e.password(), "pgisolated_" + hash + "_tpl");
      endpoint.write(endpointFile);
      for (BenchWorkload w : workloads) {
        // Built now, once: the suite runs measure tests, not template builds.
        pool.lease(w.template()).close();
        Path file = work.resolve("endpoint-" + w.id() + ".properties");
        new BenchEndpoint(e.host(), e.port(), e.user(), e.password(),
            "pgisolated_" + pool.templateHash(w.template()) + "_tpl").write(file);
        endpoints.put(w, file);
      }
      LeaseLoop.warmUp(pool, template, 97);
      progress("server: %s; this JVM is %sthe coordinator", server, pool.isCoordinator() ? "" : "NOT ");
      awaitIdle(pool, hash);
      progress("1. lease latency, 1 JVM: %d leases, each followed by one test's work", leases);
      oneJvm = LeaseLoop.run(pool, template, leases, 98).summarize(1);
      progress("   p50 %.2f ms, p99 %.2f ms (first connection p50 %.2f ms)", oneJvm.total().p50(),
          oneJvm.total().p99(), oneJvm.connection().p50());
      awaitIdle(pool, hash);
      threeJvms = threeJvms(forks);
      progress("   3 JVMs: p50 %.2f ms, p99 %.2f ms", threeJvms.total().p50(), threeJvms.total().p99());

      awaitIdle(pool, hash);
      RunReport report = pool.report();
      recycle = new Results.Recycle(report.recreations().count(), report.recreations().quantileMillis(0.5),
          report.recreations().quantileMillis(1), report.waits().count(), report.waits().quantileMillis(0.5),
          report.waits().quantileMillis(1), report.drops().count(), report.drops().quantileMillis(0.5));
      costs = ServerCosts.measure(endpoint, RAW_CLONES);
      progress("2. recycle: recreation q50 %.1f ms (n=%d), raw clone q50 %.1f ms, raw drop q50 %.1f ms", recycle.q50(),
          recycle.recreations(), Stats.quantile(costs.create(), 0.5), Stats.quantile(costs.drop(), 0.5));
    }
    // From here on the test JVMs elect their own coordinator, as in a real build.

    Map<BenchWorkload, Results.Suite> suites = new java.util.LinkedHashMap<>();
    for (BenchWorkload w : workloads) {
      suites.put(w, suite(forks, w, BenchEndpoint.read(endpoints.get(w)), endpoints.get(w)));
    }
    Results.Start start = start(forks);
    BenchWorkload small = BenchWorkload.SMALL;
    Map<String, Map<Strategy, List<Double>>> cores = cores(forks, BenchEndpoint.read(endpoints.get(small)),
        endpoints.get(small));

    Results results = new Results(date, machine(), load(loadBefore), server, settings, oneJvm, threeJvms,
        recycle, costs, suites, OrdersSuite.CLASSES * OrdersSuite.TESTS, start, cores);
    String markdown = results.markdown();
    Files.writeString(out.resolve("bench-results.md"), markdown);
    for (BenchWorkload w : workloads) {
      Files.writeString(out.resolve("bench-chart-" + w.id() + ".svg"), results.chart(w));
    }
    System.out.println();
    System.out.print(markdown);
    System.out.println();
    System.out.printf(Locale.ROOT, "Written: %s, %s (%.0f s in all)%n", out.resolve("bench-results.md"),
        out.resolve("bench-chart-*.svg"), (System.nanoTime() - started) / 1e9);
    for (Results.Target t : results.targets()) {
      System.out.printf(Locale.ROOT, "target %-35s %-30s %-22s %s%n", t.name(), t.goal(), t.measured(),
          t.met() ? "met" : "MISSED");
    }
    System.out.println(results.lastLine());
  }

  /** Three JVMs leasing at once, all through this JVM's coordinator socket. */
  private Results.Leases threeJvms(Forks forks) throws IOException, InterruptedException {
    int each = (leases + 2) / 3;
    progress("1. lease latency, 3 JVMs: %d leases each, through the coordinator's socket", each);
    Path dir = Files.createDirectories(work.resolve("lease3"));
    Path go = dir.resolve("go");
    List<Process> workers = new ArrayList<>();
    List<Path> timings = new ArrayList<>();
    List<Path> ready = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      timings.add(dir.resolve("timings-" + i));
      ready.add(dir.resolve("ready-" + i));
      workers.add(forks.start("lease3-jvm" + i, LeaseWorkerMain.class, Map.of(),
          List.of(Integer.toString(each), Integer.toString(90 + i), timings.get(i - 1).toString(),
              ready.get(i - 1).toString(), go.toString())));
    }
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (!ready.stream().allMatch(Files::exists)) {
      for (int i = 0; i < workers.size(); i++) {
        if (!workers.get(i).isAlive()) {
          Forks.awaitSuccess(workers.get(i), forks.log("lease3-jvm" + (i + 1)));
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("The lease workers did not get ready; see " + work.resolve("logs"));
      }
      Thread.sleep(10);
    }
    for (Path r : ready) {
      if (!Files.readString(r).equals("coordinator=false")) {
        throw new IllegalStateException("A lease worker became the coordinator: " + r);
      }
    }
    Files.createFile(go);
    for (int i = 0; i < workers.size(); i++) {
      Forks.awaitSuccess(workers.get(i), forks.log("lease3-jvm" + (i + 1)));
    }
    return LeaseLoop.Timings.read(timings).summarize(3);
  }

  /** One workload's suite four ways, 1 and 3 forks, {@link #rounds} rounds. */
  private Results.Suite suite(Forks forks, BenchWorkload workload, BenchEndpoint endpoint, Path endpointFile)
      throws Exception {
    Map<Integer, Map<Strategy, List<Double>>> wall = Results.emptyWall();
    Map<Integer, Map<Strategy, Phases>> phases = new java.util.TreeMap<>();
    Map<Integer, Results.ForkReports> reports = new java.util.TreeMap<>();
    progress("3. the suite, %s: %d tests, four ways, 1 and 3 forks, %d rounds", workload.id(),
        OrdersSuite.CLASSES * OrdersSuite.TESTS, rounds);
    // One unmeasured run of each: the OS caches, the pool's clones after this JVM's pool closed.
    for (Strategy s : Results.order()) {
      runSuite(forks, workload, endpoint, endpointFile, s, 1, "warmup", null);
    }
    List<Strategy> order = Results.order();
    for (int round = 1; round <= rounds; round++) {
      for (int forkCount : Results.FORKS) {
        for (int i = 0; i < order.size(); i++) {
          // Rotate the order every round, so that no strategy always runs after the same one.
          Strategy s = order.get((i + round - 1) % order.size());
          SuiteRun run = runSuite(forks, workload, endpoint, endpointFile, s, forkCount, "round" + round,
              phases.computeIfAbsent(forkCount, k -> new java.util.EnumMap<>(Strategy.class))
                  .computeIfAbsent(s, k -> new Phases()));
          wall.get(forkCount).get(s).add(run.seconds());
          if (s == Strategy.PGISOLATED) {
            reports.merge(forkCount, ForkReportParser.read(run.logs()), Results.ForkReports::plus);
          }
          progress("   %s, round %d, %d fork(s), %-10s %6.2f s", workload.id(), round, forkCount, s.id(), run.seconds());
        }
      }
    }
    try (Connection c = endpoint.connect("postgres"); Statement st = c.createStatement()) {
      dropLike(st, "bench\\_shared");
      dropLike(st, "bench\\_truncate\\_%");
    }
    Map<Integer, Map<Strategy, Phases.Summary>> where = new java.util.TreeMap<>();
    phases.forEach((f, byStrategy) -> byStrategy.forEach((s, p) ->
        where.computeIfAbsent(f, k -> new java.util.EnumMap<>(Strategy.class)).put(s, p.summary())));
    return new Results.Suite(wall, where, reports);
  }

  private SuiteRun runSuite(Forks forks, BenchWorkload workload, BenchEndpoint endpoint, Path endpointFile,
      Strategy strategy, int forkCount, String label, Phases phases) throws Exception {
    try (Connection c = endpoint.connect("postgres"); Statement st = c.createStatement()) {
      if (strategy == Strategy.ROLLBACK) {
        recreate(st, "bench_shared", endpoint.template());
      } else if (strategy == Strategy.TRUNCATE) {
        for (int fork = 1; fork <= forkCount; fork++) {
          recreate(st, "bench_truncate_" + fork, endpoint.template());
        }
      }
    }
    Optional<ServerCpu> server = serverCpu(endpoint);
    long processesBefore = server.map(ServerCpu::processes).orElse(0L);
    long serverCpuBefore = server.map(ServerCpu::millis).orElse(-1L);
    SuiteRun run = forks.runSuite(workload.id() + "-" + label + "-" + strategy.id() + "-" + forkCount, strategy,
        forkCount, OrdersSuite.classNames(strategy, workload),
        Map.of(BenchWorkload.PROPERTY, workload.id(), BenchEndpoint.PROPERTY, endpointFile.toString()));
    long serverCpuAfter = server.isPresent() ? server.get().millisOnceBackTo(processesBefore) : -1;
    int tests = 0;
    for (Path log : run.logs()) {
      Matcher m = Pattern.compile("FORK tests=(\\d+) failed=0").matcher(Files.readString(log));
      while (m.find()) {
        tests += Integer.parseInt(m.group(1));
      }
    }
    if (tests != OrdersSuite.CLASSES * OrdersSuite.TESTS) {
      throw new IllegalStateException(workload.id() + "/" + strategy.id() + " ran " + tests + " tests, not "
          + OrdersSuite.CLASSES * OrdersSuite.TESTS + "; see " + run.logs());
    }
    if (phases != null) {
      for (Path file : run.phases()) {
        phases.add(file);
      }
      phases.addServerCpu(serverCpuBefore < 0 || serverCpuAfter < 0 ? -1 : serverCpuAfter - serverCpuBefore);
    }
    if (strategy == Strategy.ON_DEMAND) {
      try (Connection c = endpoint.connect("postgres"); Statement st = c.createStatement()) {
        if (dropLike(st, "bench\\_ondemand\\_%") > 0) {
          throw new IllegalStateException("The on-demand strategy left databases behind");
        }
      }
    }
    return run;
  }

  /** The server's processes, found at the first suite run: every workload's endpoint is the same server. */
  private Optional<ServerCpu> serverCpu(BenchEndpoint endpoint) {
    if (serverCpu == null) {
      serverCpu = ServerCpu.of(endpoint);
    }
    return serverCpu;
  }

  /**
   * The small suite with 1 fork, no isolation and {@code @PgIsolated}, with the test JVM and the
   * server pinned to one core, then to two ({@code taskset}): how the wall times, and their ratio,
   * move with the cores. Empty when this machine has one core or {@code taskset} is not there.
   */
  private Map<String, Map<Strategy, List<Double>>> cores(Forks forks, BenchEndpoint endpoint, Path endpointFile)
      throws Exception {
    Map<String, Map<Strategy, List<Double>>> wall = new LinkedHashMap<>();
    int available = Runtime.getRuntime().availableProcessors();
    Optional<ServerCpu> server = serverCpu(endpoint);
    if (available < 2 || server.isEmpty()) {
      return wall;
    }
    progress("5. cores: the small suite, 1 fork, rollback and @PgIsolated, on 1 core and on 2, %d rounds", rounds);
    try {
      for (String cpus : List.of("0", "0,1")) {
        server.get().pinTo(cpus);
        Forks pinned = forks.pinnedTo(cpus);
        Map<Strategy, List<Double>> byStrategy = new java.util.EnumMap<>(Strategy.class);
        for (int round = 1; round <= rounds; round++) {
          for (Strategy s : List.of(Strategy.ROLLBACK, Strategy.PGISOLATED)) {
            SuiteRun run = runSuite(pinned, BenchWorkload.SMALL, endpoint, endpointFile, s, 1,
                "cpus" + cpus.replace(',', '-') + "-round" + round, null);
            byStrategy.computeIfAbsent(s, k -> new ArrayList<>()).add(run.seconds());
            progress("   cpus %s, round %d, %-10s %6.2f s", cpus, round, s.id(), run.seconds());
          }
        }
        wall.put(cpus, byStrategy);
      }
    } catch (IOException e) {
      progress("   taskset is not usable here (%s): no cores section", e.getMessage());
      wall.clear();
    } finally {
      server.get().pinTo("0-" + (available - 1));
    }
    return wall;
  }

  /** Time to first test: a one-test run on fresh directories (cold), then again (warm). */
  private Results.Start start(Forks forks) throws Exception {
    progress("4. time to first test: cold (fresh binaries, cluster, template), then warm x%d", WARM_STARTS);
    String id = "pgisolated-bench-cold-" + ProcessHandle.current().pid();
    boolean root = "root".equals(System.getProperty("user.name"));
    Path base = Path.of(root ? "/var/tmp" : System.getProperty("java.io.tmpdir")).resolve(id);
    Path shm = Path.of("/dev/shm");
    Path dataRoot = Files.isDirectory(shm) && Files.isWritable(shm) ? shm.resolve(id) : base;
    Path coordinator = Path.of(System.getProperty("java.io.tmpdir")).resolve(id + "-coordinator");
    Map<String, String> props = new HashMap<>();
    props.put("pgisolated.embedded.directory", base.toString());
    props.put("pgisolated.embedded.data-directory", dataRoot.resolve("data").toString());
    props.put("pgisolated.coordinator.directory", coordinator.toString());
    List<String> probe = List.of(IsolatedOrders.class.getPackageName() + ".StartProbe");
    try {
      double[] cold = startRun(forks, "start-cold", probe, props);
      List<Double> warmLease = new ArrayList<>();
      List<Double> warmWall = new ArrayList<>();
      for (int i = 1; i <= WARM_STARTS; i++) {
        double[] warm = startRun(forks, "start-warm" + i, probe, props);
        warmLease.add(warm[0]);
        warmWall.add(warm[1]);
      }
      Results.Start start = new Results.Start(cold[0], cold[1], Stats.median(warmLease), Stats.median(warmWall),
          WARM_STARTS);
      progress("   cold %d ms, warm %d ms (JVM start to first database leased)", Math.round(start.coldFirstLease()),
          Math.round(start.warmFirstLease()));
      return start;
    } finally {
      Map<String, String> config = new HashMap<>(pgisolatedProperties());
      config.putAll(props);
      EmbeddedPostgres.stop(Servers.embeddedSettings(PgIsolatedConfig.from(config)));
      deleteTree(base);
      deleteTree(dataRoot);
      deleteTree(coordinator);
    }
  }

  /** [JVM start to first lease, wall time of the run] in ms. */
  private static double[] startRun(Forks forks, String name, List<String> probe, Map<String, String> props)
      throws Exception {
    SuiteRun run = forks.runSuite(name, Strategy.PGISOLATED, 1, probe, props);
    Matcher m = FIRST_LEASE.matcher(Files.readString(run.logs().get(0)));
    if (!m.find()) {
      throw new IllegalStateException("No '" + FIRST_LEASE.pattern() + "' in " + run.logs().get(0));
    }
    return new double[] {Double.parseDouble(m.group(1)), run.seconds() * 1000};
  }

  private static void awaitIdle(PoolEngine pool, String hash) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline) {
      PoolStatistics s = pool.statistics(hash);
      // Leased clones may remain: the one pgisolated.prefetch holds for this JVM's next lease.
      if (s == null || s.recreating() == 0 && s.waiting() == 0) {
        return;
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("The pool did not become idle: " + pool.statistics(hash));
  }

  private static void recreate(Statement st, String database, String template) throws SQLException {
    st.execute("drop database if exists " + database + " with (force)");
    st.execute("create database " + database + " template " + template + " strategy file_copy");
  }

  private static int dropLike(Statement st, String like) throws SQLException {
    List<String> names = new ArrayList<>();
    try (ResultSet rs = st.executeQuery("select datname from pg_database where datname like '" + like + "'")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    for (String name : names) {
      st.execute("drop database if exists \"" + name + "\" with (force)");
    }
    return names.size();
  }

  private static Map<String, String> pgisolatedProperties() {
    Map<String, String> props = new LinkedHashMap<>();
    System.getProperties().forEach((k, v) -> {
      if (k.toString().startsWith("pgisolated.")) {
        props.put(k.toString(), v.toString());
      }
    });
    return props;
  }

  /**
   * Waits up to {@code seconds} for the 1-minute load average to fall below 1.5: other builds on a
   * 2-core machine would be measured along.
   */
  private static void awaitQuietMachine(int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (true) {
      String load = loadAverage();
      double value = load.equals("?") ? 0 : Double.parseDouble(load);
      if (value < 1.5) {
        return;
      }
      if (System.nanoTime() > deadline) {
        progress("WARNING: load average %s: other processes share the CPU and the figures with it", load);
        return;
      }
      progress("load average %s; waiting for a quieter machine (-Dbench.wait-quiet=%d)", load, seconds);
      Thread.sleep(30_000);
    }
  }

  /** The 1-minute load average now, or "?" where there is no /proc/loadavg. */
  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  private static String load(String before) {
    return "load average " + before + " at the start, " + loadAverage() + " at the end";
  }

  private static String machine() {
    long memory = 0;
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          memory = Math.round(Long.parseLong(line.replaceAll("\\D", "")) / 1048576.0);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // Not Linux: leave the memory out.
    }
    int cores = Runtime.getRuntime().availableProcessors();
    return cores + "-core machine" + (memory > 0 ? " (" + memory + " GiB, " : " (")
        + System.getProperty("os.name") + ", Java " + Runtime.version().feature() + ")";
  }

  private static void progress(String format, Object... args) {
    System.out.println("bench: " + String.format(Locale.ROOT, format, args));
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
