package io.github.pgisolated.benchmark;

import io.github.pgisolated.benchmark.Stats.Summary;
import io.github.pgisolated.benchmark.suite.SmallWorkload;
import io.github.pgisolated.core.DatabaseLease;
import io.github.pgisolated.core.PgIsolatedPool;
import io.github.pgisolated.core.TemplateDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Leases databases one after another the way a test does: lease, take the DataSource and its
 * first connection (timed), do one test's {@link Workload}, give the database back (timed). The
 * first {@link #WARM_UP} leases warm up the JIT and are not counted.
 */
final class LeaseLoop {
  static final int WARM_UP = 20;

  private LeaseLoop() {}

  /** Per-lease durations in nanoseconds. */
  record Timings(long[] lease, long[] connection, long[] giveBack) {
    Results.Leases summarize(int jvms) {
      long[] total = new long[lease.length];
      for (int i = 0; i < total.length; i++) {
        total[i] = lease[i] + connection[i];
      }
      return new Results.Leases(jvms, Summary.of(Stats.millis(total)), Summary.of(Stats.millis(lease)),
          Summary.of(Stats.millis(connection)), Summary.of(Stats.millis(giveBack)));
    }

    void write(Path file) throws IOException {
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < lease.length; i++) {
        lines.add(lease[i] + " " + connection[i] + " " + giveBack[i]);
      }
      Files.write(file, lines);
    }

    static Timings read(List<Path> files) throws IOException {
      List<long[]> rows = new ArrayList<>();
      for (Path file : files) {
        for (String line : Files.readAllLines(file)) {
          String[] parts = line.trim().split(" ");
          rows.add(new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2])});
        }
      }
      Timings t = new Timings(new long[rows.size()], new long[rows.size()], new long[rows.size()]);
      for (int i = 0; i < rows.size(); i++) {
        t.lease[i] = rows.get(i)[0];
        t.connection[i] = rows.get(i)[1];
        t.giveBack[i] = rows.get(i)[2];
      }
      return t;
    }
  }

  static void warmUp(PgIsolatedPool pool, TemplateDefinition template, int suite) throws SQLException {
    run(pool, template, WARM_UP, suite);
  }

  static Timings run(PgIsolatedPool pool, TemplateDefinition template, int count, int suite) throws SQLException {
    Timings t = new Timings(new long[count], new long[count], new long[count]);
    for (int i = 0; i < count; i++) {
      long t0 = System.nanoTime();
      DatabaseLease lease = pool.lease(template);
      DataSource db = lease.dataSource();
      long t1 = System.nanoTime();
      Connection first = db.getConnection();
      long t2 = System.nanoTime();
      try {
        first.close();
        SmallWorkload.run(db, suite, i + 1);
      } finally {
        long t3 = System.nanoTime();
        lease.close();
        t.giveBack[i] = System.nanoTime() - t3;
      }
      t.lease[i] = t1 - t0;
      t.connection[i] = t2 - t1;
    }
    return t;
  }
}
