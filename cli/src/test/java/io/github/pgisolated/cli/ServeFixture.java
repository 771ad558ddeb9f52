package io.github.pgisolated.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** A {@code pgisolated serve} child process for one test class, and what its --print-env said. */
final class ServeFixture implements AutoCloseable {
  final Path directory;
  final CliProcess process;
  final Map<String, String> env;

  private ServeFixture(Path directory, CliProcess process, Map<String, String> env) {
    this.directory = directory;
    this.process = process;
    this.env = env;
  }

  /** Starts serve on a free port with --print-env and the given extra variables and arguments. */
  static ServeFixture start(Map<String, String> extraEnv, String... args) throws IOException, InterruptedException {
    return startIn(Files.createTempDirectory("pgisolated-cli-test"), extraEnv, args);
  }

  /** The same, in a working directory of the caller's. */
  static ServeFixture startIn(Path directory, Map<String, String> extraEnv, String... args)
      throws IOException, InterruptedException {
    String[] all = new String[args.length + 4];
    all[0] = "serve";
    all[1] = "--port";
    all[2] = "0";
    all[3] = "--print-env";
    System.arraycopy(args, 0, all, 4, args.length);
    CliProcess process = CliProcess.start(directory, extraEnv, all);
    try {
      return new ServeFixture(directory, process, process.awaitReady(Duration.ofSeconds(90)));
    } catch (AssertionError | InterruptedException e) {
      process.close();
      throw e;
    }
  }

  /** A unique IntegreSQL hash, so that runs never find each other's templates. */
  static String uniqueHash(String what) {
    return what + "-" + UUID.randomUUID();
  }

  IntegreSqlClient client() {
    return new IntegreSqlClient(env.get("INTEGRESQL_CLIENT_BASE_URL"));
  }

  /** An administrative session on the server serve uses. */
  Connection admin() throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://" + env.get("PGHOST") + ":" + env.get("PGPORT") + "/postgres",
        env.get("PGUSER"), env.get("PGPASSWORD"));
  }

  /** A database's comment (its pgisolated marker), empty when it does not exist. */
  Optional<String> commentOf(String database) throws SQLException {
    try (Connection c = admin(); PreparedStatement ps = c.prepareStatement(
        "select coalesce(shobj_description(oid, 'pg_database'), '') from pg_database where datname = ?")) {
      ps.setString(1, database);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }

  /** The variables a child needs to reach the server, plus these. */
  Map<String, String> envWith(Map<String, String> more) {
    Map<String, String> result = new HashMap<>(env);
    result.putAll(more);
    return result;
  }

  @Override
  public void close() {
    process.close();
  }
}
