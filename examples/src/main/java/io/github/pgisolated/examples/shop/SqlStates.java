package io.github.pgisolated.examples.shop;

import java.sql.SQLException;

/** The PostgreSQL error codes the repositories turn into domain exceptions. */
final class SqlStates {
  static final String FOREIGN_KEY_VIOLATION = "23503";
  static final String UNIQUE_VIOLATION = "23505";
  static final String CHECK_VIOLATION = "23514";

  private SqlStates() {}

  static boolean is(SQLException e, String sqlState) {
    return sqlState.equals(e.getSQLState());
  }
}
