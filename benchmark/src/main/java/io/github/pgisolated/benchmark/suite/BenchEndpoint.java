package io.github.pgisolated.benchmark.suite;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * The server the by-hand strategies use (the embedded one pgisolated started) and the template
 * they clone, handed from the benchmark to its fork JVMs in a 0600 properties file named by
 * {@code -Dbench.endpoint}.
 *
 * @param template the name of pgisolated's template database of the suite's schema and seed
 */
public record BenchEndpoint(String host, int port, String user, String password, String template) {
  public static final String PROPERTY = "bench.endpoint";

  /** The endpoint this fork JVM was given. */
  public static BenchEndpoint current() {
    String file = System.getProperty(PROPERTY);
    if (file == null) {
      throw new IllegalStateException("Set -D" + PROPERTY + " to the benchmark's endpoint file");
    }
    return read(Path.of(file));
  }

  /** The endpoint written to a file by {@link #write}. */
  public static BenchEndpoint read(Path file) {
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file)) {
      p.load(in);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read " + file + ": " + e, e);
    }
    return new BenchEndpoint(p.getProperty("host"), Integer.parseInt(p.getProperty("port")), p.getProperty("user"),
        p.getProperty("password"), p.getProperty("template"));
  }

  /** Writes this endpoint to a file readable by this user only. */
  public void write(Path file) throws IOException {
    Properties p = new Properties();
    p.setProperty("host", host);
    p.setProperty("port", Integer.toString(port));
    p.setProperty("user", user);
    p.setProperty("password", password);
    p.setProperty("template", template);
    Files.deleteIfExists(file);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (Writer out = Files.newBufferedWriter(file)) {
      p.store(out, "pgisolated benchmark endpoint");
    }
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  /** A new physical connection to one database. */
  public Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(jdbcUrl(database), user, password);
  }

  @Override
  public String toString() {
    return "BenchEndpoint[" + host + ":" + port + ", template " + template + "]";
  }
}
