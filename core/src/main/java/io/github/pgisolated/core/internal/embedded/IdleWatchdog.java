package io.github.pgisolated.core.internal.embedded;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops an idle server: a tiny {@code /bin/sh} script, detached from the JVM, that sends the
 * postmaster SIGINT (fast shutdown) once no registered JVM ({@link ClientRegistry}) has been alive
 * for the idle time, and exits. It also exits when the postmaster is gone or {@code
 * postmaster.pid} names another pid (a newer server has its own watchdog).
 *
 * <p>A shell script rather than a Java thread because the server outlives every JVM, and rather
 * than a second JVM because it costs nothing while it sleeps. It is started with {@code setsid}
 * where available (its own session: a Ctrl-C in the build's terminal does not reach it), ignores
 * SIGHUP and SIGINT, and writes to {@code watchdog.out}. One per server start; a JVM reusing a
 * server starts a new one if the last one died.
 *
 * <p><b>The race with a JVM arriving just as the watchdog decides to stop</b> is closed by a
 * Dekker-style handshake: the watchdog writes {@code stopping} (its pid) and then looks at the
 * clients once more; a JVM registers itself first and then looks for {@code stopping} ({@link
 * #awaitDecision}). At least one of them sees the other: either the watchdog backs off, or the
 * JVM waits until the postmaster is gone and starts a new one.
 */
public final class IdleWatchdog {

  private static final Logger LOG = LoggerFactory.getLogger(IdleWatchdog.class);

  /** How often the watchdog checks; shortened by tests. */
  static volatile Duration pollInterval = Duration.ofSeconds(15);

  private static final String SCRIPT = String.join("\n",
      "#!/bin/sh",
      "# pgisolated idle-shutdown watchdog (generated; see IdleWatchdog.java).",
      "# Usage: watchdog.sh <postmaster pid> <data dir> <control dir> <idle s> <poll s>",
      "pm=$1; data=$2; control=$3; idle=$4; poll=$5",
      "trap '' HUP INT",
      "log() { echo \"$(date '+%Y-%m-%d %H:%M:%S') watchdog $$: $*\"; }",
      "clients_alive() {",
      "  alive=1",
      "  for f in \"$control/clients\"/*; do",
      "    [ -f \"$f\" ] || continue",
      "    p=${f##*/}",
      "    case $p in ''|*[!0-9]*) continue ;; esac",
      "    if kill -0 \"$p\" 2>/dev/null; then alive=0; else rm -f \"$f\"; fi",
      "  done",
      "  return $alive",
      "}",
      "postmaster_ours() {",
      "  first=",
      "  read -r first 2>/dev/null < \"$data/postmaster.pid\"",
      "  [ \"$first\" = \"$pm\" ] && kill -0 \"$pm\" 2>/dev/null",
      "}",
      "log \"watching postmaster $pm: stop after ${idle}s without clients, checking every ${poll}s\"",
      "busy=$(date +%s)",
      "while :; do",
      "  if ! postmaster_ours; then log \"postmaster $pm is gone; exiting\"; exit 0; fi",
      "  if clients_alive; then",
      "    busy=$(date +%s)",
      "  elif [ $(( $(date +%s) - busy )) -ge \"$idle\" ]; then",
      "    echo $$ > \"$control/stopping\"",
      "    if clients_alive; then",
      "      rm -f \"$control/stopping\"; busy=$(date +%s)",
      "    else",
      "      log \"no client for ${idle}s: stopping postmaster $pm (fast shutdown)\"",
      "      kill -INT \"$pm\"",
      "      n=0",
      "      while kill -0 \"$pm\" 2>/dev/null && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done",
      "      rm -f \"$control/stopping\"",
      "      log \"stopped; exiting\"",
      "      exit 0",
      "    fi",
      "  fi",
      "  sleep \"$poll\"",
      "done",
      "");

  private IdleWatchdog() {}

  /** Starts a watchdog for the postmaster {@code pid}. Requires the cluster lock. */
  public static void start(ClusterLayout layout, long postmasterPid, Duration idle) {
    try {
      // A new inode, never rewritten in place: a running sh reads its script as it goes.
      Path temp = Files.createTempFile(layout.controlDirectory(), "watchdog", ".sh");
      Files.writeString(temp, SCRIPT);
      Files.move(temp, layout.watchdogScript(), StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      Files.deleteIfExists(layout.stoppingMarker());
      List<String> command = new ArrayList<>();
      Path setsid = Commands.find("setsid");
      if (setsid != null) {
        command.add(setsid.toString());
      }
      command.addAll(List.of("/bin/sh", layout.watchdogScript().toString(),
          Long.toString(postmasterPid), layout.dataDirectory().toString(),
          layout.controlDirectory().toString(), Long.toString(Math.max(1, idle.toSeconds())),
          seconds(pollInterval)));
      ProcessBuilder builder = new ProcessBuilder(command)
          .directory(new File("/"))
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(layout.watchdogOutput().toFile()));
      Commands.cleanEnvironment(builder.environment());
      Process process = builder.start();
      Files.writeString(layout.watchdogPidFile(), process.pid() + "\n");
    } catch (IOException e) {
      // The server still works; it just will not stop by itself.
      LOG.warn("Could not start the idle-shutdown watchdog for {} ({}); the server will keep "
          + "running until stopped with pg_ctl stop -D {}", layout.dataDirectory(), e.toString(),
          layout.dataDirectory());
    }
  }

  /** Starts a watchdog if the one recorded in {@code watchdog.pid} is not running. */
  public static void ensureRunning(ClusterLayout layout, long postmasterPid, Duration idle) {
    if (!isRunning(layout)) {
      start(layout, postmasterPid, idle);
    }
  }

  /** Whether the watchdog recorded for this cluster is alive. */
  public static boolean isRunning(ClusterLayout layout) {
    return isAlive(readPid(layout.watchdogPidFile()));
  }

  /**
   * The JVM's half of the handshake: call after registering. If the watchdog is deciding to stop
   * the server, waits until it has decided (marker gone: it backed off, or it stopped the server).
   * A marker whose watchdog is dead is removed.
   */
  public static void awaitDecision(ClusterLayout layout, Duration timeout) {
    Path marker = layout.stoppingMarker();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (Files.exists(marker)) {
      long watchdog = readPid(marker);
      if (!isAlive(watchdog)) {
        try {
          Files.deleteIfExists(marker);
        } catch (IOException e) {
          LOG.debug("Could not remove stale {}", marker, e);
        }
        return;
      }
      if (System.nanoTime() - deadline > 0) {
        return; // The caller's checks of the postmaster decide what to do.
      }
      sleep(20);
    }
  }

  private static long readPid(Path file) {
    try {
      return Long.parseLong(Files.readString(file).trim());
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  private static boolean isAlive(long pid) {
    return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
        && !PostmasterPid.isZombie(pid);
  }

  private static String seconds(Duration duration) {
    return String.format(Locale.ROOT, "%.3f", Math.max(0.05, duration.toMillis() / 1000.0));
  }

  static void sleep(long millis) {
    try {
      TimeUnit.MILLISECONDS.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EmbeddedPostgresException("Interrupted while waiting for the embedded server", e);
    }
  }
}
