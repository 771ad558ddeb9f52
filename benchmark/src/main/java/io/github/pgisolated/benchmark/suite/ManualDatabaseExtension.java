package io.github.pgisolated.benchmark.suite;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives each test a {@link DataSource} the way people do it by hand, as {@code -Dbench.strategy}
 * says, on the same server and from the same template as {@code @PgIsolated}:
 *
 * <ul>
 *   <li>{@code rollback}: one connection per JVM to the shared database {@code bench_shared}
 *       (created by the benchmark before the run), in a transaction rolled back after each test;</li>
 *   <li>{@code on-demand}: {@code CREATE DATABASE … TEMPLATE … STRATEGY FILE_COPY} (pgisolated's
 *       own, faster, clone strategy) before each test, a connection to it, and
 *       {@code DROP DATABASE} after it;</li>
 *   <li>{@code truncate}: one connection per JVM to the fork's own database {@code bench_truncate_<fork>}
 *       (created by the benchmark before the run); before each test every table of the schema is
 *       truncated and the workload's seed script runs again.</li>
 * </ul>
 *
 * <p>The per-JVM connections are opened by the first test and live as long as the JVM, as a
 * test framework's shared connection would.
 */
final class ManualDatabaseExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
  private static final Namespace NAMESPACE = Namespace.create(ManualDatabaseExtension.class);
  private static final AtomicInteger ON_DEMAND_COUNT = new AtomicInteger();
  private static Connection shared;
  private static Connection admin;
  private static String reseed;

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    context.getStore(NAMESPACE).put(TestDatabase.class, open(Strategy.current(), BenchEndpoint.current()));
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == DataSource.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context.getStore(NAMESPACE).get(TestDatabase.class, TestDatabase.class).dataSource();
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    TestDatabase database = context.getStore(NAMESPACE).remove(TestDatabase.class, TestDatabase.class);
    if (database != null) {
      database.close();
    }
  }

  private static synchronized TestDatabase open(Strategy strategy, BenchEndpoint endpoint) throws SQLException {
    switch (strategy) {
      case ROLLBACK: {
        if (shared == null) {
          shared = endpoint.connect("bench_shared");
          shared.setAutoCommit(false);
        }
        Connection c = shared;
        return new TestDatabase(new SingleConnectionDataSource(c), c::rollback);
      }
      case TRUNCATE: {
        if (shared == null) {
          shared = endpoint.connect("bench_truncate_" + Integer.getInteger("bench.fork", 1));
          reseed = truncateEveryTable(shared) + resource(BenchWorkload.current().seedScript());
        }
        try (Statement s = shared.createStatement()) {
          s.execute(reseed);
        }
        return new TestDatabase(new SingleConnectionDataSource(shared), () -> {});
      }
      case ON_DEMAND: {
        if (admin == null) {
          admin = endpoint.connect("postgres");
        }
        String name = "bench_ondemand_" + ProcessHandle.current().pid() + "_" + ON_DEMAND_COUNT.incrementAndGet();
        try (Statement s = admin.createStatement()) {
          s.execute("create database " + name + " template " + endpoint.template() + " strategy file_copy");
        }
        Connection c = endpoint.connect(name);
        return new TestDatabase(new SingleConnectionDataSource(c), () -> {
          c.close();
          synchronized (ManualDatabaseExtension.class) {
            try (Statement s = admin.createStatement()) {
              s.execute("drop database " + name + " with (force)");
            }
          }
        });
      }
      default:
        throw new IllegalStateException(strategy + " is not a by-hand strategy; its classes use @PgIsolated");
    }
  }

  /** TRUNCATE of every table of the schema, as a test suite that resets by hand would list them. */
  private static String truncateEveryTable(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
        "select string_agg(quote_ident(tablename), ', ' order by tablename) from pg_tables where schemaname = 'public'")) {
      rs.next();
      return "truncate " + rs.getString(1) + " restart identity cascade;\n";
    }
  }

  private static String resource(String name) {
    try (InputStream in = ManualDatabaseExtension.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("No classpath resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What a test was given, and what to do after it. */
  private record TestDatabase(DataSource dataSource, After after) {
    void close() throws SQLException {
      after.run();
    }
  }

  @FunctionalInterface
  private interface After {
    void run() throws SQLException;
  }
}
