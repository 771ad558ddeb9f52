package io.github.pgisolated.core.internal.embedded;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;

/**
 * Logs in to the server over TCP as {@code postgres} and runs {@code select 1}: the proof that a
 * server is ready, and that a running server is ours (only we know its random password).
 *
 * <p>Uses the pgjdbc driver directly rather than through {@code DriverManager}, which would scan
 * every registered driver.
 */
public final class ServerProbe {

  /** What a login attempt found. */
  public enum Outcome {
    /** Logged in and ran {@code select 1}. */
    OK,
    /** The server answered but refused the password or the user. */
    REFUSED_LOGIN,
    /** No server answering on the port, or one not accepting connections yet (or any more). */
    UNREACHABLE
  }

  /**
   * @param outcome what happened
   * @param serverVersion the server's version as reported at login (e.g. {@code 18.6}), when OK
   * @param detail the error, when not OK
   */
  public record Result(Outcome outcome, String serverVersion, String detail) {}

  private ServerProbe() {}

  /** One login attempt to {@code 127.0.0.1:port}, bounded by {@code timeout} (whole seconds). */
  public static Result login(int port, String password, Duration timeout) {
    Properties properties = new Properties();
    properties.setProperty("user", "postgres");
    properties.setProperty("password", password);
    String seconds = Long.toString(Math.max(1, timeout.toSeconds()));
    properties.setProperty("connectTimeout", seconds);
    properties.setProperty("loginTimeout", seconds);
    properties.setProperty("socketTimeout", seconds);
    properties.setProperty("sslmode", "disable");
    properties.setProperty("gssEncMode", "disable");
    properties.setProperty("ApplicationName", "pgisolated-embedded");
    String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    try (Connection connection = new org.postgresql.Driver().connect(url, properties)) {
      if (connection == null) {
        return new Result(Outcome.UNREACHABLE, null, "pgjdbc did not accept " + url);
      }
      try (Statement statement = connection.createStatement()) {
        statement.execute("select 1");
      }
      return new Result(Outcome.OK, connection.getMetaData().getDatabaseProductVersion(), null);
    } catch (SQLException e) {
      String state = e.getSQLState() == null ? "" : e.getSQLState();
      boolean refused = state.startsWith("28");
      return new Result(refused ? Outcome.REFUSED_LOGIN : Outcome.UNREACHABLE, null,
          e.getMessage() + (state.isEmpty() ? "" : " (SQLSTATE " + state + ")"));
    }
  }
}
