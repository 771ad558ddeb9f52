package io.github.pgisolated.benchmark;

import io.github.pgisolated.benchmark.suite.BenchEndpoint;
import io.github.pgisolated.benchmark.suite.SingleConnectionDataSource;
import io.github.pgisolated.benchmark.suite.SmallWorkload;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The server's own costs, with plain SQL and pgjdbc and no pgisolated code, on the template the
 * pool clones: the floor the recycle and lease figures are compared with, and the profile that
 * tells where a test's time on a new database goes.
 *
 * @param create {@code CREATE DATABASE … TEMPLATE … STRATEGY FILE_COPY}, one at a time
 * @param drop {@code DROP DATABASE … WITH (FORCE)} of that clone
 * @param parallelClone the same clone, two at a time (as the pool's two workers run)
 * @param firstConnect pgjdbc connect and {@code select 1} to a database just cloned
 * @param secondConnect the same to that database again (its relation cache file now exists)
 * @param coldWork one test's {@link Workload} on the first connection to a new clone (rolled back)
 * @param warmWork the same workload again on that connection (rolled back): caches warm
 */
record ServerCosts(double[] create, double[] drop, double[] parallelClone, double[] firstConnect,
    double[] secondConnect, double[] coldWork, double[] warmWork) {

  static ServerCosts measure(BenchEndpoint endpoint, int count) throws Exception {
    double[] clone = new double[count];
    double[] drop = new double[count];
    double[] firstConnect = new double[count];
    double[] secondConnect = new double[count];
    double[] coldWork = new double[count];
    double[] warmWork = new double[count];
    try (Connection admin = endpoint.connect("postgres"); Statement s = admin.createStatement()) {
      s.execute("drop database if exists bench_raw_clone with (force)");
      for (int i = -3; i < count; i++) {
        long t0 = System.nanoTime();
        s.execute("create database bench_raw_clone template " + endpoint.template() + " strategy file_copy");
        long t1 = System.nanoTime();
        long[] profile = profile(endpoint, "bench_raw_clone");
        long t2 = System.nanoTime();
        s.execute("drop database bench_raw_clone with (force)");
        long t3 = System.nanoTime();
        if (i >= 0) {
          clone[i] = (t1 - t0) / 1e6;
          drop[i] = (t3 - t2) / 1e6;
          firstConnect[i] = profile[0] / 1e6;
          coldWork[i] = profile[1] / 1e6;
          warmWork[i] = profile[2] / 1e6;
          secondConnect[i] = profile[3] / 1e6;
        }
      }
    }
    return new ServerCosts(clone, drop, parallelClones(endpoint, count), firstConnect, secondConnect, coldWork,
        warmWork);
  }

  /** [first connect, cold work, warm work, second connect] in ns. */
  private static long[] profile(BenchEndpoint endpoint, String database) throws SQLException {
    long t0 = System.nanoTime();
    try (Connection c = endpoint.connect(database)) {
      try (Statement s = c.createStatement()) {
        s.execute("select 1");
      }
      long t1 = System.nanoTime();
      c.setAutoCommit(false);
      SingleConnectionDataSource ds = new SingleConnectionDataSource(c);
      SmallWorkload.run(ds, 0, 5);
      c.rollback();
      long t2 = System.nanoTime();
      SmallWorkload.run(ds, 0, 5);
      c.rollback();
      long t3 = System.nanoTime();
      long t4 = System.nanoTime();
      try (Connection again = endpoint.connect(database); Statement s = again.createStatement()) {
        s.execute("select 1");
      }
      long t5 = System.nanoTime();
      return new long[] {t1 - t0, t2 - t1, t3 - t2, t5 - t4};
    }
  }

  /** Clone and drop on two sessions at once; the clone times, in ms. */
  private static double[] parallelClones(BenchEndpoint endpoint, int count) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<double[]>> results = new ArrayList<>();
      for (int w = 0; w < 2; w++) {
        String name = "bench_raw_parallel_" + w;
        results.add(pool.submit(() -> {
          double[] times = new double[count / 2];
          try (Connection admin = endpoint.connect("postgres"); Statement s = admin.createStatement()) {
            s.execute("drop database if exists " + name + " with (force)");
            for (int i = -2; i < times.length; i++) {
              long t0 = System.nanoTime();
              s.execute("create database " + name + " template " + endpoint.template() + " strategy file_copy");
              long t1 = System.nanoTime();
              s.execute("drop database " + name + " with (force)");
              if (i >= 0) {
                times[i] = (t1 - t0) / 1e6;
              }
            }
          }
          return times;
        }));
      }
      double[] a = results.get(0).get();
      double[] b = results.get(1).get();
      double[] all = new double[a.length + b.length];
      System.arraycopy(a, 0, all, 0, a.length);
      System.arraycopy(b, 0, all, a.length, b.length);
      return all;
    } finally {
      pool.shutdownNow();
    }
  }
}
