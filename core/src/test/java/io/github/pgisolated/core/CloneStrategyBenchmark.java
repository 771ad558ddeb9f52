package io.github.pgisolated.core;

import io.github.pgisolated.core.internal.engine.PoolEngine;
import io.github.pgisolated.core.internal.server.ServerEndpoint;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Measures CREATE DATABASE … TEMPLATE with STRATEGY FILE_COPY against WAL_LOG, and DROP DATABASE,
 * for a small and a larger template, on the server the tests use. Prints figures; asserts
 * nothing about speed. Run with:
 *
 * <pre>mvn -pl core test -Dtest=CloneStrategyBenchmark -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
class CloneStrategyBenchmark {
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 30);

  @Test
  void compareCloneStrategies() throws Exception {
    try (PgIsolatedPool pool = PgIsolatedPool.start(TestPostgres.config())) {
      ServerEndpoint endpoint = ((PoolEngine) pool).endpoint();
      System.out.println("server: " + endpoint.description());
      try (Connection admin = DriverManager.getConnection(endpoint.jdbcUrl("postgres"), endpoint.user(),
          endpoint.password()); Statement s = admin.createStatement()) {
        for (int rows : new int[] {0, 500_000}) {
          String template = "bench_tpl_" + rows;
          s.execute("drop database if exists " + template);
          s.execute("create database " + template);
          try (Connection t = DriverManager.getConnection(endpoint.jdbcUrl(template), endpoint.user(), endpoint.password());
              Statement ts = t.createStatement()) {
            ts.execute("create table item (id bigserial primary key, name text, price int)");
            ts.execute("create index on item (name)");
            ts.execute("insert into item (name, price) select 'item ' || g, g % 1000 from generate_series(1, " + rows + ") g");
          }
          long size = queryLong(s, "select pg_database_size('" + template + "')");
          for (String strategy : new String[] {"file_copy", "wal_log", "file_copy", "wal_log"}) {
            List<Double> create = new ArrayList<>();
            List<Double> drop = new ArrayList<>();
            for (int i = 0; i < ROUNDS; i++) {
              long t0 = System.nanoTime();
              s.execute("create database bench_clone template " + template + " strategy " + strategy);
              long t1 = System.nanoTime();
              s.execute("drop database bench_clone with (force)");
              long t2 = System.nanoTime();
              create.add((t1 - t0) / 1e6);
              drop.add((t2 - t1) / 1e6);
            }
            System.out.printf(Locale.ROOT, "template %5.1f MB  %-9s  create p50 %6.1f ms  p90 %6.1f ms  max %6.1f ms   drop p50 %5.1f ms%n",
                size / 1e6, strategy, percentile(create, 50), percentile(create, 90), percentile(create, 100),
                percentile(drop, 50));
          }
          s.execute("drop database " + template);
        }
      }
    }
  }

  static long queryLong(Statement s, String sql) throws SQLException {
    try (var rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static double percentile(List<Double> values, int p) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
  }
}
