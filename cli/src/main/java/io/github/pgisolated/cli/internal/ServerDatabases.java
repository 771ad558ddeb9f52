package io.github.pgisolated.cli.internal;

import io.github.pgisolated.core.internal.db.DatabaseClaims;
import io.github.pgisolated.core.internal.db.DatabaseNames.Kind;
import io.github.pgisolated.core.internal.db.DatabaseNames.Marker;
import io.github.pgisolated.core.internal.db.DatabaseNames;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The databases pgisolated made on a server, found by their markers (see {@code DatabaseNames};
 * kept ones by {@code pgisolated:1 kept}), for status and clean. A database without a marker is
 * never listed, so never dropped.
 */
final class ServerDatabases {
  private ServerDatabases() {}

  enum Role { TEMPLATE_READY, TEMPLATE_BUILDING, TEMPLATE_FAILED, CLONE, PGMANAGER, KEPT }

  /**
   * @param holdsLease a live session holds its holder lock (a test, or a client of serve, has it)
   * @param sessions its open sessions
   */
  record Found(String name, Role role, String hash, long bytes, int sessions, boolean holdsLease) {}

  static List<Found> list(Connection c) throws SQLException {
    List<Found> found = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("select d.datname, coalesce(shobj_description(d.oid, 'pg_database'), ''),"
        + " pg_database_size(d.oid), (select count(*) from pg_stat_activity a where a.datname = d.datname"
        + " and a.pid <> pg_backend_pid()) from pg_database d order by d.datname");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        String name = rs.getString(1);
        String comment = rs.getString(2);
        role(name, comment).ifPresent(role -> {
          try {
            found.add(new Found(name, role, hashOf(comment), rs.getLong(3), rs.getInt(4), false));
          } catch (SQLException e) {
            throw new IllegalStateException(e);
          }
        });
      }
    }
    Set<String> held = new DatabaseClaims(() -> c).heldByAnyone(found.stream().map(Found::name).toList(), c);
    return found.stream().map(f -> new Found(f.name(), f.role(), f.hash(), f.bytes(), f.sessions(),
        held.contains(f.name()))).toList();
  }

  private static Optional<Role> role(String name, String comment) {
    if (comment.startsWith("pgisolated:1 kept ")) {
      return Optional.of(Role.KEPT);
    }
    Optional<Marker> marker = DatabaseNames.parse(comment);
    if (marker.isEmpty()) {
      return Optional.empty();
    }
    Kind kind = marker.get().kind();
    return Optional.of(switch (kind) {
      case TEMPLATE_READY -> Role.TEMPLATE_READY;
      case TEMPLATE_BUILDING -> Role.TEMPLATE_BUILDING;
      case TEMPLATE_FAILED -> Role.TEMPLATE_FAILED;
      case CLONE -> DatabaseNames.hashOfCloneName(name).isPresent() ? Role.CLONE : Role.PGMANAGER;
    });
  }

  private static String hashOf(String comment) {
    String[] words = comment.split("[ \n]");
    return words.length > 2 ? words[2] : "";
  }

  static String megabytes(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1048576.0);
  }
}
