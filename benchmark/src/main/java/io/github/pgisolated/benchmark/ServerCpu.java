package io.github.pgisolated.benchmark;

import io.github.pgisolated.benchmark.suite.BenchEndpoint;
import io.github.pgisolated.benchmark.suite.ProcStat;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * The CPU time the PostgreSQL server's processes have used, read from Linux's {@code /proc}: the
 * postmaster's own, that of the children it reaped (every backend that ended: test sessions,
 * clones' sessions) and that of its children alive now. The benchmark's server runs on this
 * machine, so the difference around a suite run is what the server spent on it.
 */
final class ServerCpu {
  private final long postmaster;

  private ServerCpu(long postmaster) {
    this.postmaster = postmaster;
  }

  /**
   * The server of an endpoint, found through its checkpointer's parent; empty when {@code /proc}
   * can't tell (not Linux, or the server runs elsewhere).
   */
  static Optional<ServerCpu> of(BenchEndpoint endpoint) {
    try (Connection c = endpoint.connect("postgres"); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select pid from pg_stat_activity where backend_type = 'checkpointer'")) {
      if (!rs.next()) {
        return Optional.empty();
      }
      return ProcStat.of(rs.getLong(1)).map(checkpointer -> new ServerCpu(checkpointer.parent()));
    } catch (SQLException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** How many processes the server runs now. */
  long processes() {
    return ProcessHandle.of(postmaster).map(p -> p.children().count()).orElse(0L);
  }

  /**
   * CPU used so far, in ms, once the server is back to at most {@code processes} processes (or
   * after 3 s): a backend whose client just exited is counted only once the postmaster has reaped it.
   */
  long millisOnceBackTo(long processes) throws InterruptedException {
    long deadline = System.nanoTime() + 3_000_000_000L;
    while (processes() > processes && System.nanoTime() - deadline < 0) {
      Thread.sleep(20);
    }
    return millis();
  }

  /** CPU used so far, in ms; negative when it could not be read. */
  long millis() {
    Optional<ProcStat> own = ProcStat.of(postmaster);
    if (own.isEmpty()) {
      return -1;
    }
    long children = ProcessHandle.of(postmaster).map(p -> p.children()
        .mapToLong(child -> ProcStat.of(child.pid()).map(ProcStat::ownMillis).orElse(0L)).sum()).orElse(0L);
    return own.get().ownMillis() + own.get().reapedChildrenMillis() + children;
  }

  /**
   * Moves the server's processes to the given CPUs ({@code taskset -a -cp}, Linux): the postmaster,
   * and so every backend it starts from now on, and every process it runs now.
   *
   * @throws IOException when taskset failed for the postmaster
   */
  void pinTo(String cpus) throws IOException, InterruptedException {
    taskset(cpus, postmaster, true);
    for (long child : ProcessHandle.of(postmaster).map(p -> p.children().mapToLong(ProcessHandle::pid).toArray())
        .orElse(new long[0])) {
      taskset(cpus, child, false);
    }
  }

  private static void taskset(String cpus, long pid, boolean required) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("taskset", "-a", "-cp", cpus, Long.toString(pid)).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    // A backend may end between listing and pinning it: only the postmaster must succeed.
    if (p.waitFor() != 0 && required) {
      throw new IOException("taskset -a -cp " + cpus + " " + pid + " failed (exit " + p.exitValue() + ")");
    }
  }
}
