package io.github.pgisolated.core.internal.reset;

import io.github.pgisolated.core.internal.reset.TemplateSnapshot.SequenceState;
import io.github.pgisolated.core.internal.reset.TemplateSnapshot.TableData;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
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
 * written since the horizon are deleted, and the template's rows whose keys are then missing,
 * which are those the test updated or deleted, are copied back in. Which keys are missing comes
 * cheaply from the delete itself in the common case: the deleted rows' keys that are template keys
 * are the rows the test updated, and when the table's row count shows that nothing else is
 * missing, those are all. Only when the test also deleted template rows (or changed a key) are
 * the keys left read in full. Should a template row ever look new (its XID more than 2^31
 * transactions old), it is deleted and copied back the same way, so the table ends up right
 * either way. A table without a primary key gets all its rows back.
 *
 * <p>Round trips: the deletes and the row counts of every table in one, a copy for each table
 * with rows to put back (plus a read of its keys when the test deleted rows), the sequences with
 * the statistics flush in one, the commit. Stateless.
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
          deletes.append(" where age(xmin) <= age('").append(xid).append("'::xid) returning ").append(t.keyExpression())
              .append("; select count(*) from only ").append(t.table().name());
        }
      }
      List<ResultRows> results = resultSets(s, deletes.toString());
      int next = 0;
      for (TableData table : tables) {
        byte[] rows;
        if (table.keyed()) {
          ResultRows written = results.get(next++);
          long present = results.get(next++).single();
          rows = missingRows(copy, table, written, present);
        } else {
          rows = table.copy();
        }
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
   * One result set's first column, read before the statement moves on to the next result: bytes
   * ({@code bytea}) or the number of a single {@code bigint} row.
   */
  private record ResultRows(List<byte[]> values, long single) {}

  /** Runs statements in one round trip and keeps the first column of each result set, in order. */
  private static List<ResultRows> resultSets(Statement s, String sql) throws SQLException {
    List<ResultRows> results = new ArrayList<>();
    boolean isResultSet = s.execute(sql);
    while (true) {
      if (isResultSet) {
        List<byte[]> values = new ArrayList<>();
        long single = -1;
        try (ResultSet rs = s.getResultSet()) {
          boolean number = rs.getMetaData().getColumnType(1) == Types.BIGINT;
          while (rs.next()) {
            if (number) {
              single = rs.getLong(1);
            } else {
              values.add(rs.getBytes(1));
            }
          }
        }
        results.add(new ResultRows(values, single));
      } else if (s.getUpdateCount() == -1) {
        return results;
      }
      isResultSet = s.getMoreResults();
    }
  }

  /**
   * The template's rows of a keyed table whose keys the table lacks now (after the rows written
   * since the horizon were deleted), as a COPY stream; null when none is missing.
   *
   * @param written the keys of the rows just deleted, as {@link CopyRows.Key} bytes
   * @param present the rows left in the table
   */
  private static byte[] missingRows(CopyManager copy, TableData table, ResultRows written, long present)
      throws SQLException, IOException {
    List<int[]> updated = new ArrayList<>();
    for (byte[] key : written.values()) {
      int[] row = table.rowsByKey().get(new CopyRows.Key(key));
      if (row != null) {
        updated.add(row);
      }
    }
    long missing = table.rows() - present;
    if (missing == updated.size()) {
      return updated.isEmpty() ? null : CopyRows.select(table.copy(), updated);
    }
    // The test deleted template rows (or changed a key): find every missing key.
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    copy.copyOut("copy (select " + String.join(", ", table.keyColumns()) + " from only " + table.table().name()
        + ") to stdout (format binary)", out);
    byte[] left = out.toByteArray();
    int[] fields = new int[table.keyColumns().size()];
    for (int f = 0; f < fields.length; f++) {
      fields[f] = f;
    }
    Set<CopyRows.Key> keys = new HashSet<>();
    for (int[] row : CopyRows.rows(left)) {
      keys.add(CopyRows.key(left, row, fields));
    }
    List<int[]> rows = new ArrayList<>();
    table.rowsByKey().forEach((key, row) -> {
      if (!keys.contains(key)) {
        rows.add(row);
      }
    });
    return rows.isEmpty() ? null : CopyRows.select(table.copy(), rows);
  }
}
