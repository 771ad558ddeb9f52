package io.github.pgisolated.core.internal.db;

import java.sql.SQLException;
import java.util.Optional;

/**
 * What to tell a user whose role lacks a privilege pgisolated needed: a role with CREATEDB and no
 * more (the usual CI role on a shared server) can do nearly everything, and what it can't comes
 * down to two things, ending other roles' sessions and altering or dropping other roles'
 * databases. PostgreSQL's own message says what was refused but not what to grant.
 */
final class PrivilegeErrors {
  /** PostgreSQL's {@code insufficient_privilege}. */
  static final String INSUFFICIENT_PRIVILEGE = "42501";

  private PrivilegeErrors() {}

  static boolean isPrivilegeError(SQLException e) {
    return INSUFFICIENT_PRIVILEGE.equals(e.getSQLState());
  }

  /**
   * The message for a refused {@code action} ("drop", "rename", ...) on a database.
   *
   * @param role the role pgisolated ran as
   * @param owner the database's owner, when it could be read
   * @param serverMessage PostgreSQL's message (with its detail)
   */
  static String message(String action, String database, String role, Optional<String> owner, String serverMessage) {
    String server = serverMessage == null ? "" : serverMessage.replace('\n', ' ').trim();
    if (server.contains("terminate")) {
      return "Role " + role + " could not end the sessions on database " + database + " to " + action + " it ("
          + server + "). Another role's sessions are on it, and a role that is not a superuser may end only its own "
          + "role's sessions. Grant it pg_signal_backend (GRANT pg_signal_backend TO " + role + ") to end other "
          + "non-superusers' sessions, or close those sessions (pg_stat_activity shows whose they are); a superuser's "
          + "sessions only a superuser may end.";
    }
    String whose = owner.filter(o -> !o.equals(role)).map(o -> " It belongs to role " + o
        + ", probably another build's that shares this server.").orElse("");
    return "Role " + role + " may not " + action + " database " + database + " (" + server + ")." + whose
        + " Only a database's owner, a member of the owner's role, or a superuser may alter or drop it: leave it to "
        + "its owner, grant the owner's role to " + role + owner.filter(o -> !o.equals(role))
            .map(o -> " (GRANT " + o + " TO " + role + ")").orElse("")
        + ", or set pgisolated.external.user to a role that owns it.";
  }
}
