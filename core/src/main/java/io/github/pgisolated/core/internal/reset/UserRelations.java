package io.github.pgisolated.core.internal.reset;

import io.github.pgisolated.core.internal.reset.Relation.Kind;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Lists the relations of a database that hold user data: tables (and partitions), materialized
 * views and sequences outside the system schemas, temporary ones excluded. Partitioned parents and
 * views hold no rows of their own and are left out; their partitions and base tables are listed.
 */
final class UserRelations {
  private static final String SQL = "select c.oid, quote_ident(n.nspname) || '.' || quote_ident(c.relname), c.relkind,"
      + " exists (select 1 from pg_trigger t where t.tgrelid = c.oid and t.tgenabled in ('A', 'R')), c.reltoastrelid,"
      + " c.relfilenode"
      + " from pg_class c join pg_namespace n on n.oid = c.relnamespace"
      + " where c.relkind in ('r', 'm', 'S') and c.relpersistence <> 't'"
      + " and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname !~ '^pg_(toast|temp_)'"
      + " order by c.oid";

  private UserRelations() {}

  static List<Relation> of(Connection connection) throws SQLException {
    List<Relation> relations = new ArrayList<>();
    try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(SQL)) {
      while (rs.next()) {
        Kind kind = switch (rs.getString(3)) {
          case "r" -> Kind.TABLE;
          case "m" -> Kind.MATERIALIZED_VIEW;
          default -> Kind.SEQUENCE;
        };
        relations.add(new Relation(rs.getLong(1), rs.getString(2), kind, !rs.getBoolean(4), rs.getLong(5),
            rs.getLong(6)));
      }
    }
    return relations;
  }
}
