package io.github.pgisolated.core.internal.migrations;

import io.github.pgisolated.core.PgDatabase;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The connections a migration tool gets on the template: unpooled, each one recorded, and every
 * one closed by {@link #close()}, whatever the tool did with it. Sessions are named as
 * pgisolated's own ({@code application_name = pgisolated}): pgisolated opens and closes them, and
 * the template builder terminates any session of its own that is still winding down when it
 * finishes the template, without mistaking it for a connection a user's initializer leaked.
 */
final class MigrationDataSource implements DataSource, AutoCloseable {
  /** What the template builder recognises as its own sessions ({@code DatabaseAdmin.APPLICATION_NAME}). */
  static final String APPLICATION_NAME = "pgisolated";

  private final PgDatabase database;
  private final List<Connection> opened = new ArrayList<>();
  private PrintWriter logWriter;
  private int loginTimeoutSeconds;

  MigrationDataSource(PgDatabase database) {
    this.database = database;
  }

  @Override
  public Connection getConnection() throws SQLException {
    return getConnection(database.user(), database.password());
  }

  @Override
  public Connection getConnection(String user, String password) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", user);
    properties.setProperty("password", password);
    properties.setProperty("ApplicationName", APPLICATION_NAME);
    properties.setProperty("tcpKeepAlive", "true");
    if (loginTimeoutSeconds > 0) {
      properties.setProperty("loginTimeout", Integer.toString(loginTimeoutSeconds));
    }
    Connection connection = DriverManager.getConnection(database.jdbcUrl(), properties);
    synchronized (opened) {
      opened.add(connection);
    }
    return connection;
  }

  /** Closes every connection handed out; returns how many the tool had left open. */
  int closeAll() {
    int leftOpen = 0;
    synchronized (opened) {
      for (Connection connection : opened) {
        try {
          if (!connection.isClosed()) {
            leftOpen++;
            connection.close();
          }
        } catch (SQLException e) {
          // Closing is best effort; the template builder terminates whatever session remains.
        }
      }
      opened.clear();
    }
    return leftOpen;
  }

  @Override
  public void close() {
    closeAll();
  }

  @Override
  public PrintWriter getLogWriter() {
    return logWriter;
  }

  @Override
  public void setLogWriter(PrintWriter out) {
    this.logWriter = out;
  }

  @Override
  public void setLoginTimeout(int seconds) {
    this.loginTimeoutSeconds = seconds;
  }

  @Override
  public int getLoginTimeout() {
    return loginTimeoutSeconds;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("java.util.logging is not used");
  }

  @Override
  public <T> T unwrap(Class<T> type) throws SQLException {
    if (type.isInstance(this)) {
      return type.cast(this);
    }
    throw new SQLException("Not a wrapper for " + type.getName());
  }

  @Override
  public boolean isWrapperFor(Class<?> type) {
    return type.isInstance(this);
  }
}
