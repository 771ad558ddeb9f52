package io.github.pgisolated.benchmark.spring;

import io.github.pgisolated.core.DatabaseLease;
import io.github.pgisolated.core.PgDatabase;
import io.github.pgisolated.core.PgIsolatedConfig;
import io.github.pgisolated.core.PgIsolatedPool;
import io.github.pgisolated.core.TemplateDefinition;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a {@code @SpringBootTest} suite of 100 tests costs, three ways, in one run on one machine:
 * one shared database (the embedded server, as a Testcontainers {@code @ServiceConnection}
 * database would be: migrated by Flyway when the context starts, no isolation), {@code @PgIsolated}
 * (one cached context, a database per test) and zonky's {@code AFTER_EACH_TEST_METHOD} refresh
 * with its ZONKY provider (embedded binaries). Each way runs in a fresh JVM, as a Surefire fork,
 * {@code bench.rounds} times; the figures are medians.
 *
 * <p>Not part of {@code mvn verify}: {@code mvn -B verify -Pspring-benchmark -pl benchmark-spring -am}.
 */
public final class SpringSuiteBenchmark {
  private static final Pattern RESULT = Pattern.compile(
      "RESULT variant=(\\S+) passed=(\\d+) failed=(\\d+) first_test_ms=(-?\\d+) last_test_ms=(\\d+)");
  private static final String SHARED_DATABASE = "bench_spring_shared";

  private SpringSuiteBenchmark() {}

  record Run(double wallSeconds, int passed, int failed, long firstTestMs, long lastTestMs, String failure) {}

  public static void main(String[] args) throws Exception {
    int rounds = Integer.getInteger("bench.rounds", 3);
    Path out = Path.of(System.getProperty("bench.out", "target"));
    double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    PgDatabase server = serverCoordinates();
    System.out.println("pgisolated-spring benchmark: " + rounds + " round(s); shared database " + SHARED_DATABASE
        + " on " + server.host() + ":" + server.port());
    Map<String, List<Run>> runs = new LinkedHashMap<>();
    List<String> variants = List.of("shared", "isolated", "isolated-parallel", "zonky");
    for (int round = 1; round <= rounds; round++) {
      for (String variant : variants) {
        if (runs.containsKey(variant) && runs.get(variant).get(0).failure() != null && variant.equals("zonky")) {
          continue; // it could not run: once is enough to show why
        }
        if (variant.equals("shared")) {
          recreate(server, SHARED_DATABASE); // a fresh container's empty database, every run
        }
        Run run = runSuite(variant, server);
        runs.computeIfAbsent(variant, v -> new ArrayList<>()).add(run);
        System.out.printf(Locale.ROOT, "round %d %-18s %6.2f s  passed %d failed %d%s%n", round, variant,
            run.wallSeconds(), run.passed(), run.failed(), run.failure() == null ? "" : "  (" + abbreviate(run.failure()) + ")");
      }
    }
    double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    String report = report(runs, rounds, loadBefore, loadAfter);
    System.out.println();
    System.out.println(report);
    Files.createDirectories(out);
    Files.writeString(out.resolve("spring-bench-results.md"), report, StandardCharsets.UTF_8);
  }

  /** The embedded server pgisolated runs (started if needed), from a lease given back at once. */
  private static PgDatabase serverCoordinates() {
    try (PgIsolatedPool pool = PgIsolatedPool.start(PgIsolatedConfig.fromSystem());
        DatabaseLease lease = pool.lease(TemplateDefinition.empty())) {
      return lease.database();
    }
  }

  private static void recreate(PgDatabase server, String name) throws SQLException {
    String url = "jdbc:postgresql://" + server.host() + ":" + server.port() + "/postgres";
    try (Connection c = DriverManager.getConnection(url, server.user(), server.password());
        Statement s = c.createStatement()) {
      s.execute("drop database if exists " + name + " with (force)");
      s.execute("create database " + name);
    }
  }

  private static Run runSuite(String variant, PgDatabase server) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx768m"));
    if (variant.equals("shared")) {
      command.add("-Dspring.datasource.url=jdbc:postgresql://" + server.host() + ":" + server.port() + "/" + SHARED_DATABASE);
      command.add("-Dspring.datasource.username=" + server.user());
      command.add("-Dspring.datasource.password=" + server.password());
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), SuiteMain.class.getName()));
    command.addAll(variant.equals("isolated-parallel") ? List.of("isolated", "parallel") : List.of(variant));
    Path log = Files.createTempFile("spring-bench-" + variant, ".log");
    long start = System.nanoTime();
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!process.waitFor(20, TimeUnit.MINUTES)) {
      process.destroyForcibly();
    }
    double wall = (System.nanoTime() - start) / 1e9;
    String output = Files.readString(log, StandardCharsets.UTF_8);
    Files.delete(log);
    Matcher m = RESULT.matcher(output);
    if (!m.find()) {
      return new Run(wall, 0, 100, -1, -1, "no result; output: " + tail(output));
    }
    int passed = Integer.parseInt(m.group(2));
    int failed = Integer.parseInt(m.group(3));
    String failure = null;
    int at = output.indexOf("FIRST_FAILURE ");
    if (failed > 0 || passed == 0) {
      failure = at >= 0 ? output.substring(at + "FIRST_FAILURE ".length()).lines().findFirst().orElse("") : tail(output);
    }
    return new Run(wall, passed, failed, Long.parseLong(m.group(4)), Long.parseLong(m.group(5)), failure);
  }

  private static String report(Map<String, List<Run>> runs, int rounds, double loadBefore, double loadAfter) {
    StringBuilder r = new StringBuilder();
    r.append(String.format(Locale.ROOT, "**A @SpringBootTest suite of 100 tests** (10 classes x 10 tests, one application "
        + "context each way; Spring Boot 3.5.7, Hibernate, Flyway; each way in a fresh JVM, %d round(s), median "
        + "(min-max); %d cores, load average %.2f at the start, %.2f at the end)%n%n", rounds,
        Runtime.getRuntime().availableProcessors(), loadBefore, loadAfter));
    r.append("| way | tests passed | wall time of the JVM (s) | JVM start to first test (s) | the 100 tests (s) | per test (ms) |\n");
    r.append("|---|---|---|---|---|---|\n");
    Map<String, String> names = Map.of(
        "shared", "one shared database (embedded server, Flyway on start; no isolation)",
        "isolated", "@PgIsolated (a database per test)",
        "isolated-parallel", "@PgIsolated, methods in parallel (2 threads)",
        "zonky", "zonky AFTER_EACH_TEST_METHOD, provider ZONKY");
    Map<String, Double> medians = new LinkedHashMap<>();
    for (Map.Entry<String, List<Run>> e : runs.entrySet()) {
      List<Run> list = e.getValue();
      Run first = list.get(0);
      if (first.failure() != null && first.passed() == 0) {
        r.append("| ").append(names.get(e.getKey())).append(" | 0 | could not run: ").append(abbreviate(first.failure()))
            .append(" | | | |\n");
        continue;
      }
      double wall = median(list.stream().mapToDouble(Run::wallSeconds).toArray());
      double toFirst = median(list.stream().mapToDouble(x -> x.firstTestMs() / 1000.0).toArray());
      double tests = median(list.stream().mapToDouble(x -> (x.lastTestMs() - x.firstTestMs()) / 1000.0).toArray());
      medians.put(e.getKey(), wall);
      r.append(String.format(Locale.ROOT, "| %s | %d | %.2f (%.2f-%.2f) | %.2f | %.2f | %.1f |%n", names.get(e.getKey()),
          list.stream().mapToInt(Run::passed).min().orElse(0), wall,
          list.stream().mapToDouble(Run::wallSeconds).min().orElse(0),
          list.stream().mapToDouble(Run::wallSeconds).max().orElse(0), toFirst, tests, tests * 1000 / 100));
    }
    r.append('\n');
    if (medians.containsKey("shared") && medians.containsKey("isolated")) {
      r.append(String.format(Locale.ROOT, "@PgIsolated over one shared database: %.2f x the wall time%n",
          medians.get("isolated") / medians.get("shared")));
    }
    if (medians.containsKey("zonky") && medians.containsKey("isolated")) {
      r.append(String.format(Locale.ROOT, "zonky's refresh over @PgIsolated: %.2f x the wall time%n",
          medians.get("zonky") / medians.get("isolated")));
    }
    for (Map.Entry<String, List<Run>> e : runs.entrySet()) {
      Run first = e.getValue().get(0);
      if (first.failure() != null) {
        r.append("\n").append(e.getKey()).append(" failed: ").append(first.failure()).append('\n');
      }
    }
    r.append(String.format(Locale.ROOT, "%npgisolated-spring-bench: %s%n", medians.entrySet().stream()
        .map(e -> e.getKey() + "_s=" + String.format(Locale.ROOT, "%.2f", e.getValue())).reduce((a, b) -> a + " " + b)
        .orElse("none")));
    return r.toString();
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
        : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  }

  private static String tail(String output) {
    List<String> lines = output.lines().toList();
    return String.join(" / ", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
  }

  private static String abbreviate(String text) {
    return text.length() > 400 ? text.substring(0, 400) + "…" : text;
  }
}
