package io.github.pgisolated.core.internal.db;

/** Quoting for the statements PostgreSQL does not accept bind parameters in (DDL, COMMENT). */
public final class Sql {
  private Sql() {}

  /** A double-quoted identifier; every identifier pgisolated sends goes through here. */
  static String ident(String name) {
    if (name.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("identifier contains NUL: " + name);
    }
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  /** A single-quoted literal (standard_conforming_strings is on since PostgreSQL 9.1). */
  public static String literal(String value) {
    if (value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("literal contains NUL");
    }
    return '\'' + value.replace("'", "''") + '\'';
  }
}
