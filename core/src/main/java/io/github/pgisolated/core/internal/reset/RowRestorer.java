package io.github.pgisolated.core.internal.reset;

import io.github.pgisolated.core.internal.reset.TemplateSnapshot.SequenceState;
import io.github.pgisolated.core.internal.reset.TemplateSnapshot.TableData;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Puts a clone's changed tables and sequences back to the template's, in one transaction, with
 * triggers and foreign-key checks off ({@code session_replication_role = replica}: the template's
 * rows satisfied them when it was built), and flushes the session's statistics at the commit.
 *
 * <p>A table with a primary key gets back only what the test changed. Every row version the test
 * wrote has an {@code xmin} at or after the baseline's horizon and every row of the template's
 * state one before (a row a test updates gets a new version; one it deletes is gone): so the rows
 * written since the horizon are deleted, the keys left are read, and the template's rows whose
 * keys are missing, which are those the test deleted or updated, are copied back in. Should a
 * template row ever look new (its XID more than 2^31 transactions old), it is deleted and copied
 * back in the same way, so the table ends up right either way. A table without a primary key
 * gets all its rows back.
 *
 * <p>Round trips: the deletes in one, the keys and the copy of each keyed table, the copy of each
 * other table, the sequences with the statistics flush in one, the commit. Stateless.
 */
final class RowRestorer {
  private RowRestorer() {}

  /**
   * @param horizon the baseline's horizon (see {@link Baseline#horizon()})
   * @throws SQLException when the rows can't be put back; the transaction is rolled back
   */
  static void put(Connection connection, List<TableData> tables, Collection<SequenceState> sequences, long horizon)
      throws SQLException {
    CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
    // The 32-bit XID the horizon wraps to: what xmin holds.
    String xid = Long.toString(horizon & 0xFFFF_FFFFL);
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try (Statement s = connection.createStatement()) {
      StringBuilder deletes = new StringBuilder("set local session_replication_role = replica;"
          + " set local lock_timeout = '10s'");
      for (TableData t : tables) {
        deletes.append("; delete from only ").append(t.table().name());
        if (t.keyed()) {
          deletes.append(" where age(xmin) <= age('").append(xid).append("'::xid)");
        }
      }
      s.execute(deletes.toString());
      for (TableData table : tables) {
        byte[] rows = table.keyed() ? missingRows(copy, table) : table.copy();
        if (rows != null) {
          copy.copyIn("copy " + table.table().name() + " from stdin (format binary)", new ByteArrayInputStream(rows));
        }
      }
      StringBuilder last = new StringBuilder("select pg_stat_force_next_flush()");
      sequences.forEach(q -> last.append(", setval(").append(q.sequence().oid()).append(", ").append(q.lastValue())
          .append(", ").append(q.called()).append(')'));
      s.execute(last.toString());
      connection.commit();
    } catch (SQLException | IOException | RuntimeException e) {
      connection.rollback();
      throw e instanceof SQLException sql ? sql : new SQLException("Could not put the rows back: " + e, e);
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  /**
   * The template's rows of a keyed table whose keys the table lacks now (after the rows written
   * since the horizon were deleted), as a COPY stream; null when none is missing.
   */
  private static byte[] missingRows(CopyManager copy, TableData table) throws SQLException, IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    copy.copyOut("copy (select " + String.join(", ", table.keyColumns()) + " from only " + table.table().name()
        + ") to stdout (format binary)", out);
    byte[] present = out.toByteArray();
    int[] fields = new int[table.keyColumns().size()];
    for (int f = 0; f < fields.length; f++) {
      fields[f] = f;
    }
    Set<CopyRows.Key> keys = new HashSet<>();
    for (int[] row : CopyRows.rows(present)) {
      keys.add(CopyRows.key(present, row, fields));
    }
    List<int[]> missing = new ArrayList<>();
    table.rowsByKey().forEach((key, row) -> {
      if (!keys.contains(key)) {
        missing.add(row);
      }
    });
    return missing.isEmpty() ? null : CopyRows.select(table.copy(), missing);
  }
}
