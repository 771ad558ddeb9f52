package io.github.pgisolated.benchmark.suite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One line of Linux's {@code /proc/<pid>/stat} (or {@code /proc/<pid>/task/<tid>/stat}): the
 * process's name, its parent and the CPU time it and its reaped children used, for the benchmark's
 * CPU figures. For example {@code ProcStat.of(Path.of("/proc/self/stat")).map(ProcStat::ownMillis)}.
 *
 * @param name the command or thread name, as the kernel keeps it (at most 15 characters)
 * @param parent the parent's pid
 * @param ownMillis CPU time in user and kernel mode (utime + stime)
 * @param reapedChildrenMillis the same of the children it waited for (cutime + cstime)
 */
public record ProcStat(String name, long parent, long ownMillis, long reapedChildrenMillis) {
  /** {@code /proc}'s clock ticks per second (USER_HZ): 100 on every Linux architecture. */
  private static final long MILLIS_PER_TICK = 10;

  /** The figures of one stat file; empty when it can't be read (no such process, not Linux). */
  public static Optional<ProcStat> of(Path statFile) {
    try {
      String stat = Files.readString(statFile);
      // The name is in parentheses and may itself hold spaces and parentheses: split after the last one.
      String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // After the name: [0] state, [1] ppid, ... [11] utime, [12] stime, [13] cutime, [14] cstime.
      return Optional.of(new ProcStat(name, Long.parseLong(f[1]),
          (Long.parseLong(f[11]) + Long.parseLong(f[12])) * MILLIS_PER_TICK,
          (Long.parseLong(f[13]) + Long.parseLong(f[14])) * MILLIS_PER_TICK));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The figures of a process. */
  public static Optional<ProcStat> of(long pid) {
    return of(Path.of("/proc", Long.toString(pid), "stat"));
  }
}
