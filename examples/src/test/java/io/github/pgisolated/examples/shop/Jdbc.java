package io.github.pgisolated.examples.shop;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Terse JDBC for tests: run a statement, read a value or a column as text. */
final class Jdbc {

  private Jdbc() {}

  /** Runs a statement; returns the update count, or -1 for DDL and queries. */
  static int execute(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      return s.execute(sql) ? -1 : s.getUpdateCount();
    }
  }

  static int execute(DataSource db, String sql) throws SQLException {
    try (Connection c = db.getConnection()) {
      return execute(c, sql);
    }
  }

  /** The first column of every row, as text. */
  static List<String> column(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      List<String> values = new ArrayList<>();
      while (rs.next()) {
        values.add(rs.getString(1));
      }
      return values;
    }
  }

  static List<String> column(DataSource db, String sql) throws SQLException {
    try (Connection c = db.getConnection()) {
      return column(c, sql);
    }
  }

  /** The single value a query returns, as text. */
  static String value(Connection c, String sql) throws SQLException {
    List<String> values = column(c, sql);
    if (values.size() != 1) {
      throw new AssertionError("Expected one row from <" + sql + "> but got " + values);
    }
    return values.get(0);
  }

  static String value(DataSource db, String sql) throws SQLException {
    try (Connection c = db.getConnection()) {
      return value(c, sql);
    }
  }

  static long count(Connection c, String table) throws SQLException {
    return Long.parseLong(value(c, "select count(*) from " + table));
  }

  static long count(DataSource db, String table) throws SQLException {
    return Long.parseLong(value(db, "select count(*) from " + table));
  }

  /**
   * Which database instance this is: its name and its OID. Clones are recreated under the same
   * name after each test, so the name alone repeats; the OID of a recreated database does not.
   */
  static String databaseIdentity(Connection c) throws SQLException {
    return value(c, "select datname || '#' || oid from pg_database where datname = current_database()");
  }

  static String databaseIdentity(DataSource db) throws SQLException {
    try (Connection c = db.getConnection()) {
      return databaseIdentity(c);
    }
  }
}
