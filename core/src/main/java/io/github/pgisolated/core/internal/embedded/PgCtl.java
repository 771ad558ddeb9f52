package io.github.pgisolated.core.internal.embedded;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts and stops the postmaster with {@code pg_ctl}, detached from the JVM.
 *
 * <p>{@code pg_ctl start} forks, calls {@code setsid()} in the child and execs the postmaster
 * through {@code /bin/sh} with its output going to the server log, so the server is in its own
 * session, has no pipe to the JVM and outlives it; {@code -w} waits until {@code postmaster.pid}
 * says {@code ready}. The port comes from {@code ServerSocket(0)}, which another process can take
 * before the postmaster binds it: on a bind failure the start is retried with a new port.
 *
 * <p>Settings (as {@code -o "-c name=value ..."}, user settings last so they win): TCP on
 * 127.0.0.1 only, no Unix socket, no durability ({@code fsync}, {@code synchronous_commit}, {@code
 * full_page_writes} off: a test cluster is rebuilt rather than recovered), 300 connections,
 * 128 MB shared buffers, minimal WAL, and on PostgreSQL 18 {@code io_method=sync}.
 */
public final class PgCtl {

  private static final int PORT_ATTEMPTS = 5;
  private static final long MAX_LOG_BYTES = 10L << 20;

  private PgCtl() {}

  /** pgisolated's settings for a port and a server's major version, then the user's (which override). */
  public static Map<String, String> serverSettings(int port, int majorVersion, Map<String, String> userSettings) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("listen_addresses", "127.0.0.1");
    settings.put("port", Integer.toString(port));
    settings.put("unix_socket_directories", "");
    settings.put("fsync", "off");
    settings.put("synchronous_commit", "off");
    settings.put("full_page_writes", "off");
    settings.put("wal_level", "minimal");
    settings.put("max_wal_senders", "0");
    settings.put("max_connections", "300");
    settings.put("shared_buffers", "128MB");
    settings.put("log_line_prefix", "%m [%p] %q%u@%d ");
    settings.put("log_min_messages", "warning");
    // Every CREATE DATABASE ... STRATEGY FILE_COPY checkpoints: logging each would grow the log
    // by some 100 KB per run.
    settings.put("log_checkpoints", "off");
    if (majorVersion >= 18) {
      // PostgreSQL 18's I/O workers serve every database and never forget a relation they opened:
      // each DROP DATABASE makes them walk all of them (smgrreleaseall), which grows with every
      // clone ever made and took a tenth of the machine's CPU in the benchmark. Backends doing
      // their own I/O, as before 18, cost nothing of the kind (and the data is in memory anyway).
      settings.put("io_method", "sync");
    }
    settings.putAll(userSettings);
    return settings;
  }

  /** The cluster's major version, from its {@code PG_VERSION} file; 0 if it can't be read. */
  public static int majorVersion(ClusterLayout layout) {
    try {
      return Integer.parseInt(java.nio.file.Files.readString(layout.dataDirectory().resolve("PG_VERSION")).strip());
    } catch (java.io.IOException | NumberFormatException e) {
      return 0;
    }
  }

  /** The {@code -o} argument: {@code -c 'name=value'} for each setting, quoted for /bin/sh. */
  public static String options(Map<String, String> settings) {
    List<String> options = new ArrayList<>();
    settings.forEach((name, value) ->
        options.add("-c '" + (name + "=" + value).replace("'", "'\\''") + "'"));
    return String.join(" ", options);
  }

  /**
   * Starts the server; returns the port. Requires the cluster lock. Throws with the log tail when
   * it does not start within {@code settings.startTimeout()}.
   */
  public static int start(ClusterLayout layout, BinaryCache.Installation binaries,
      RunAsAccount account, EmbeddedSettings settings) {
    prepareLog(layout, account);
    account.throwIfCannotUse(binaries.bin("postgres"), layout.dataDirectory());
    String lastFailure = "";
    for (int attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
      int port = freePort();
      long logOffset = size(layout.serverLog());
      Commands.Result result = Commands.run(account.command(List.of(
          binaries.bin("pg_ctl").toString(), "start", "-w",
          "-t", Long.toString(Math.max(1, settings.startTimeout().toSeconds())),
          "-D", layout.dataDirectory().toString(),
          "-l", layout.serverLog().toString(),
          "-o", options(serverSettings(port, majorVersion(layout), settings.serverSettings())))),
          settings.startTimeout().plusSeconds(10));
      if (result.succeeded()) {
        return port;
      }
      String log = logSince(layout.serverLog(), logOffset);
      lastFailure = "pg_ctl: " + result.output() + "\nserver log:\n" + log;
      boolean portTaken = log.contains("could not bind") || log.contains("Address already in use")
          || log.contains("could not create any TCP/IP sockets");
      if (!portTaken) {
        break;
      }
    }
    throw new EmbeddedPostgresException("PostgreSQL failed to start in " + layout.dataDirectory()
        + " as " + account.description() + " (or did not start within "
        + settings.startTimeout().toSeconds() + " s).\n" + lastFailure + "\nFix: read the server log " + layout.serverLog()
        + "; raise pgisolated.embedded.start-timeout on a slow machine; check "
        + "pgisolated.embedded.server-settings; or delete the data directory to start over.");
  }

  /** {@code pg_ctl stop -m fast}; returns false if no server was running. */
  public static boolean stop(ClusterLayout layout, Path pgCtl, RunAsAccount account,
      Duration timeout) {
    Commands.Result result = Commands.run(account.command(List.of(pgCtl.toString(), "stop",
        "-m", "fast", "-w", "-t", Long.toString(Math.max(1, timeout.toSeconds())),
        "-D", layout.dataDirectory().toString())), timeout.plusSeconds(10));
    if (result.succeeded()) {
      return true;
    }
    if (result.output().contains("Is server running?")) {
      return false;
    }
    throw new EmbeddedPostgresException("pg_ctl stop failed for " + layout.dataDirectory()
        + ": " + result.output() + "\nserver log:\n" + logTail(layout.serverLog(), 4000));
  }

  /** The last {@code maxChars} characters of a log, for error messages. */
  public static String logTail(Path log, int maxChars) {
    long size = size(log);
    return logSince(log, Math.max(0, size - maxChars));
  }

  private static String logSince(Path log, long offset) {
    try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
      long length = file.length();
      long from = Math.max(offset, length - 16_000);
      byte[] bytes = new byte[(int) Math.max(0, length - from)];
      file.seek(from);
      file.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  /** Creates the log owned by the PostgreSQL account; keeps one old log past 10 MB. */
  private static void prepareLog(ClusterLayout layout, RunAsAccount account) {
    Path log = layout.serverLog();
    try {
      if (size(log) > MAX_LOG_BYTES) {
        Files.move(log, log.resolveSibling(log.getFileName() + ".1"),
            StandardCopyOption.REPLACE_EXISTING);
      }
      if (!Files.exists(log)) {
        Files.createFile(log,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      }
      account.takeOwnership(log);
    } catch (IOException e) {
      throw new EmbeddedPostgresException("Cannot prepare the server log " + log + ": " + e, e);
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new EmbeddedPostgresException("Cannot find a free TCP port on 127.0.0.1: " + e, e);
    }
  }
}
