package io.github.pgisolated.core.internal.db;

import io.github.pgisolated.core.PgIsolatedConfig.CloneStrategy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The SQL pgisolated administers databases with, on the server's maintenance database. Every
 * identifier is quoted; nothing here checks ownership markers: callers do, before they drop.
 *
 * <p>Thread-safe: each call borrows its own connection from the admin data source.
 */
public final class DatabaseAdmin {
  /** The application_name of pgisolated's own sessions, so they are not counted as leaks. */
  public static final String APPLICATION_NAME = "pgisolated";

  private final DataSource admin;
  private final int majorVersion;
  private final CloneStrategy strategy;

  public DatabaseAdmin(DataSource admin, int majorVersion, CloneStrategy strategy) {
    this.admin = admin;
    this.majorVersion = majorVersion;
    this.strategy = strategy;
  }

  /** A database's comment, or empty when the database does not exist; "" when it has none. */
  public Optional<String> commentOf(String database) throws SQLException {
    try (Connection c = admin.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "select coalesce(shobj_description(oid, 'pg_database'), '') from pg_database where datname = ?")) {
      ps.setString(1, database);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }

  /** Name to comment of every database whose name matches a LIKE pattern. */
  public Map<String, String> databasesLike(String likePattern) throws SQLException {
    Map<String, String> result = new LinkedHashMap<>();
    try (Connection c = admin.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "select datname, coalesce(shobj_description(oid, 'pg_database'), '') from pg_database"
                + " where datname like ? order by datname")) {
      ps.setString(1, likePattern);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          result.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    return result;
  }

  /** Creates an empty database from template0 and marks it. */
  public void createEmpty(String database, String marker) throws SQLException {
    try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
      s.execute("create database " + Sql.ident(database) + " template template0" + strategyClause());
      s.execute("comment on database " + Sql.ident(database) + " is " + Sql.literal(marker));
    }
  }

  /** Clones a template into a new database and marks it. */
  public void cloneFrom(String template, String database, String marker) throws SQLException {
    cloneFrom(template, database, marker, strategy);
  }

  /** Clones a template into a new database with the given strategy ({@code AUTO}: FILE_COPY) and marks it. */
  public void cloneFrom(String template, String database, String marker, CloneStrategy with) throws SQLException {
    try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
      s.execute("create database " + Sql.ident(database) + " template " + Sql.ident(template) + strategyClause(with));
      s.execute("comment on database " + Sql.ident(database) + " is " + Sql.literal(marker));
    }
  }

  /** Drops a database if it exists, terminating its sessions first. The caller checked the marker. */
  public void drop(String database) throws SQLException {
    try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
      if (majorVersion >= 13) {
        s.execute("drop database if exists " + Sql.ident(database) + " with (force)");
      } else {
        terminateSessions(c, database);
        s.execute("drop database if exists " + Sql.ident(database));
      }
    } catch (SQLException e) {
      throw explained(e, "drop", database);
    }
  }

  /**
   * Turns a built template into a finished one: no more connections (so cloning never fails on
   * a straggler), then the ready marker, written last.
   */
  public void finishTemplate(String database, String readyMarker) throws SQLException {
    try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
      s.execute("alter database " + Sql.ident(database) + " with allow_connections false is_template true");
      terminateSessions(c, database);
      s.execute("comment on database " + Sql.ident(database) + " is " + Sql.literal(readyMarker));
    }
  }

  /**
   * Turns a template whose build failed into a failed one: no more connections, never a
   * template, and the failed marker (with the error), written last.
   */
  public void markFailed(String database, String failedMarker) throws SQLException {
    try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
      s.execute("alter database " + Sql.ident(database) + " with allow_connections false is_template false");
      terminateSessions(c, database);
      s.execute("comment on database " + Sql.ident(database) + " is " + Sql.literal(failedMarker));
    }
  }

  /** Drops a template (a template database can't be dropped until it is no longer flagged as one). */
  public void dropTemplate(String database) throws SQLException {
    try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
      s.execute("alter database " + Sql.ident(database) + " is_template false");
    } catch (SQLException e) {
      throw explained(e, "drop", database);
    }
    drop(database);
  }

  /** A database's size on disk in bytes, 0 when it does not exist. */
  public long sizeOf(String database) throws SQLException {
    try (Connection c = admin.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "select coalesce(sum(pg_database_size(oid)), 0) from pg_database where datname = ?")) {
      ps.setString(1, database);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Sessions on a database that are not pgisolated's own pooled ones. */
  public int foreignSessions(String database) throws SQLException {
    try (Connection c = admin.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "select count(*) from pg_stat_activity where datname = ? and pid <> pg_backend_pid()"
                + " and coalesce(application_name, '') <> ?")) {
      ps.setString(1, database);
      ps.setString(2, APPLICATION_NAME);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /** Renames a database (it must have no sessions). */
  public void rename(String from, String to) throws SQLException {
    try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
      s.execute("alter database " + Sql.ident(from) + " rename to " + Sql.ident(to));
    } catch (SQLException e) {
      throw explained(e, "rename", from);
    }
  }

  /** Sets a database's comment (its marker). */
  public void comment(String database, String text) throws SQLException {
    try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
      s.execute("comment on database " + Sql.ident(database) + " is " + Sql.literal(text));
    } catch (SQLException e) {
      throw explained(e, "comment on (mark)", database);
    }
  }

  /**
   * Makes every new session on a database start read-only, or undoes that. Sessions already open
   * keep their setting.
   */
  public void setDefaultReadOnly(String database, boolean readOnly) throws SQLException {
    try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
      s.execute("alter database " + Sql.ident(database)
          + (readOnly ? " set default_transaction_read_only = on" : " reset default_transaction_read_only"));
    }
  }

  /** Every session on a database but this one. */
  public int sessionsOn(String database) throws SQLException {
    try (Connection c = admin.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "select count(*) from pg_stat_activity where datname = ? and pid <> pg_backend_pid()")) {
      ps.setString(1, database);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /** Terminates every session on a database; returns how many there were. */
  public int terminateSessions(String database) throws SQLException {
    try (Connection c = admin.getConnection()) {
      return terminateSessions(c, database);
    } catch (SQLException e) {
      throw explained(e, "keep", database);
    }
  }

  /**
   * The role these sessions run as when it is not a superuser; empty for a superuser. (CREATEDB
   * was checked when the server was connected.)
   */
  public Optional<String> currentRoleUnlessSuperuser() throws SQLException {
    try (Connection c = admin.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select current_user, rolsuper from pg_roles where rolname = current_user")) {
      return rs.next() && !rs.getBoolean(2) ? Optional.of(rs.getString(1)) : Optional.empty();
    }
  }

  /**
   * The databases matching a LIKE pattern that these sessions' role may drop: its own, its
   * roles', or all for a superuser. Others belong to another build on the server, and are left to it.
   */
  public Set<String> droppableLike(String likePattern) throws SQLException {
    Set<String> result = new HashSet<>();
    try (Connection c = admin.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "select datname from pg_database where datname like ? and pg_has_role(datdba, 'USAGE')")) {
      ps.setString(1, likePattern);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          result.add(rs.getString(1));
        }
      }
    }
    return result;
  }

  /**
   * A refused privilege, explained: what was refused, to whom, and what to grant (see
   * {@link PrivilegeErrors}); any other error as it is.
   */
  private SQLException explained(SQLException e, String action, String database) {
    if (!PrivilegeErrors.isPrivilegeError(e)) {
      return e;
    }
    String role = "(this role)";
    Optional<String> owner = Optional.empty();
    try (Connection c = admin.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "select current_user, (select pg_get_userbyid(datdba) from pg_database where datname = ?)")) {
      ps.setString(1, database);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        role = rs.getString(1);
        owner = Optional.ofNullable(rs.getString(2));
      }
    } catch (SQLException ignored) {
      // The explanation goes without the names then.
    }
    return new SQLException(PrivilegeErrors.message(action, database, role, owner, e.getMessage()),
        e.getSQLState(), e);
  }

  private static int terminateSessions(Connection c, String database) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "select count(pg_terminate_backend(pid)) from pg_stat_activity where datname = ? and pid <> pg_backend_pid()")) {
      ps.setString(1, database);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  private String strategyClause() {
    return strategyClause(strategy);
  }

  private String strategyClause(CloneStrategy with) {
    if (majorVersion < 15) {
      return "";
    }
    return with == CloneStrategy.WAL_LOG ? " strategy wal_log" : " strategy file_copy";
  }

  /** The strategy configured ({@code pgisolated.clone-strategy}). */
  public CloneStrategy strategy() {
    return strategy;
  }

  public int majorVersion() {
    return majorVersion;
  }
}
