package io.github.pgisolated.core.internal.template;

import io.github.pgisolated.core.TemplateBuildException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Runs one SQL script on a template. The whole script goes to the server as one simple-protocol
 * query, so PostgreSQL's own parser splits statements (dollar quoting, comments and all) and the
 * script runs in one implicit transaction: it applies completely or not at all. Statements that
 * cannot run in a transaction block ({@code CREATE INDEX CONCURRENTLY}, {@code VACUUM}) are not
 * supported in scripts; use an initializer.
 *
 * <p>On failure the error names the script and the line, from the server's error position.
 */
final class ScriptRunner {
  private ScriptRunner() {}

  static void run(Connection connection, String name, byte[] content) {
    String sql = new String(content, StandardCharsets.UTF_8);
    if (sql.isBlank()) {
      return;
    }
    try (Statement s = connection.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new TemplateBuildException(describe(name, sql, e), e);
    }
  }

  static String describe(String name, String sql, SQLException e) {
    StringBuilder message = new StringBuilder("Template script ").append(name).append(" failed");
    int position = 0;
    ServerErrorMessage server = e instanceof PSQLException p ? p.getServerErrorMessage() : null;
    if (server != null) {
      position = server.getPosition();
    }
    if (position > 0 && position <= sql.length() + 1) {
      int line = 1;
      int lineStart = 0;
      for (int i = 0; i < position - 1; i++) {
        if (sql.charAt(i) == '\n') {
          line++;
          lineStart = i + 1;
        }
      }
      int lineEnd = sql.indexOf('\n', lineStart);
      String text = sql.substring(lineStart, lineEnd < 0 ? sql.length() : lineEnd).strip();
      message.append(" at line ").append(line).append(": ").append(e.getMessage().lines().findFirst().orElse(""))
          .append("\n  ").append(line).append(" | ").append(text);
    } else {
      message.append(": ").append(e.getMessage());
    }
    message.append("\nFix the script; the next run builds the template again.");
    return message.toString();
  }
}
