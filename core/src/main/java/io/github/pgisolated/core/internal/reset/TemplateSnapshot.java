package io.github.pgisolated.core.internal.reset;

import io.github.pgisolated.core.internal.db.TemplateFingerprint;
import io.github.pgisolated.core.internal.reset.Relation.Kind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * A template's rows and sequences as they are in the template, kept in the JVM (never in the
 * user's database) so that a reset in place can put a clone back: every table's rows as
 * {@code COPY … (FORMAT binary)} output, every sequence's {@code last_value} and {@code is_called},
 * and the template's {@link TemplateFingerprint}. Taken once per template per JVM, from a clone
 * that is checked against the fingerprint the template's builder recorded.
 *
 * <p>Immutable and thread-safe once taken.
 */
public final class TemplateSnapshot {

  /**
   * One table's rows.
   *
   * @param copy the rows as {@code COPY … TO STDOUT (FORMAT binary)} gave them
   * @param keyColumns the primary key's columns, quoted, in COPY order; empty when the table has
   *     no primary key (then a reset puts all its rows back)
   * @param keyFields the primary key's columns' positions among the COPY fields
   * @param rowsByKey each row's {@code [start, end)} in {@code copy} by its key
   * @param keyExpression SQL that gives a row's key as the bytes of its {@link CopyRows.Key}
   *     (each column through its type's binary send function, as COPY does); empty when unkeyed
   */
  record TableData(Relation table, byte[] copy, long rows, String digest, List<String> keyColumns, int[] keyFields,
      Map<CopyRows.Key, int[]> rowsByKey, String keyExpression) {

    boolean keyed() {
      return !keyColumns.isEmpty();
    }
  }

  /** One sequence's state. */
  record SequenceState(Relation sequence, long lastValue, boolean called) {}

  private final List<TableData> tables;
  private final List<Relation> materializedViews;
  private final List<SequenceState> sequences;
  private final TemplateFingerprint fingerprint;
  private final CatalogFingerprint.Result catalog;
  private final Optional<String> notResettable;
  private final boolean preparedTransactionsPossible;
  private final boolean logicalSlotsPossible;

  private TemplateSnapshot(List<TableData> tables, List<Relation> materializedViews, List<SequenceState> sequences,
      String content, CatalogFingerprint.Result catalog, Optional<String> notResettable,
      boolean preparedTransactionsPossible, boolean logicalSlotsPossible) {
    this.tables = List.copyOf(tables);
    this.materializedViews = List.copyOf(materializedViews);
    this.sequences = List.copyOf(sequences);
    this.catalog = catalog;
    this.fingerprint = new TemplateFingerprint(content, catalog.value());
    this.notResettable = notResettable;
    this.preparedTransactionsPossible = preparedTransactionsPossible;
    this.logicalSlotsPossible = logicalSlotsPossible;
  }

  /**
   * Reads the rows, sequences and catalog of the database {@code connection} is on. The caller
   * makes sure nobody changes it meanwhile (a template being built, or a clone nobody else holds).
   *
   * @throws SQLException when the database can't be read; a column type without binary output
   *     fails here too (then resets in place are impossible for the template)
   */
  public static TemplateSnapshot take(Connection connection) throws SQLException {
    List<Relation> relations = UserRelations.of(connection);
    CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
    List<TableData> tables = new ArrayList<>();
    List<Relation> views = new ArrayList<>();
    List<Relation> sequenceRelations = new ArrayList<>();
    MessageDigest content = CopyDigest.sha256();
    for (Relation relation : relations) {
      if (relation.kind() == Kind.SEQUENCE) {
        sequenceRelations.add(relation);
        continue;
      }
      // A materialized view can't be copied directly (nor into), but its rows count in the content.
      String source = relation.kind() == Kind.TABLE ? relation.name() : "(select * from " + relation.name() + ")";
      byte[] rows = copyOut(copy, "copy " + source + " to stdout (format binary)");
      CopyDigest.Result digest = CopyDigest.of(rows);
      if (relation.kind() == Kind.TABLE) {
        tables.add(table(connection, relation, rows, digest));
      } else {
        views.add(relation);
      }
      content.update((relation.kind() + " " + relation.name() + " " + digest.rows() + " " + digest.digest() + "\n")
          .getBytes(StandardCharsets.UTF_8));
    }
    List<SequenceState> sequences = readSequences(connection, sequenceRelations);
    for (SequenceState s : sequences) {
      content.update(("SEQUENCE " + s.sequence().name() + " " + s.lastValue() + " " + s.called() + "\n")
          .getBytes(StandardCharsets.UTF_8));
    }
    boolean prepared;
    boolean slots;
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("select current_setting('max_prepared_transactions')::int > 0,"
            + " current_setting('wal_level') = 'logical'")) {
      rs.next();
      prepared = rs.getBoolean(1);
      slots = rs.getBoolean(2);
    }
    return new TemplateSnapshot(tables, views, sequences, HexFormat.of().formatHex(content.digest(), 0, 16),
        CatalogFingerprint.of(connection), whyNotResettable(connection, tables), prepared, slots);
  }

  /** Whether the server allows prepared transactions (which a reset must look for), as when the snapshot was taken. */
  boolean preparedTransactionsPossible() {
    return preparedTransactionsPossible;
  }

  /** Whether the server allows logical replication slots (which tie a database down). */
  boolean logicalSlotsPossible() {
    return logicalSlotsPossible;
  }

  /** A table's rows with its primary key, if it has one COPY carries whole (not a generated column). */
  private static TableData table(Connection connection, Relation table, byte[] rows, CopyDigest.Result digest)
      throws SQLException {
    List<String> columns = new ArrayList<>();
    List<Integer> positions = new ArrayList<>();
    List<String> sendFunctions = new ArrayList<>();
    boolean usable = true;
    try (PreparedStatement ps = connection.prepareStatement("select quote_ident(a.attname), a.attgenerated = '',"
        + " (select count(*) from pg_attribute b where b.attrelid = a.attrelid and b.attnum > 0 and not b.attisdropped"
        + " and b.attgenerated = '' and b.attnum < a.attnum),"
        + " (select quote_ident(n.nspname) || '.' || quote_ident(p.proname) from pg_type t"
        + " join pg_proc p on p.oid = t.typsend join pg_namespace n on n.oid = p.pronamespace where t.oid = a.atttypid)"
        + " from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)"
        + " where i.indrelid = ? and i.indisprimary order by 3")) {
      ps.setLong(1, table.oid());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          columns.add(rs.getString(1));
          usable &= rs.getBoolean(2) && rs.getString(4) != null;
          positions.add(rs.getInt(3));
          sendFunctions.add(rs.getString(4));
        }
      }
    }
    if (!usable || columns.isEmpty()) {
      return new TableData(table, rows, digest.rows(), digest.digest(), List.of(), new int[0], Map.of(), "");
    }
    int[] fields = positions.stream().mapToInt(Integer::intValue).toArray();
    Map<CopyRows.Key, int[]> byKey = new HashMap<>();
    for (int[] row : CopyRows.rows(rows)) {
      byKey.put(CopyRows.key(rows, row, fields), row);
    }
    return new TableData(table, rows, digest.rows(), digest.digest(), List.copyOf(columns), fields, byKey,
        keyExpression(columns, sendFunctions));
  }

  /**
   * The SQL of a row's {@link CopyRows.Key}: the number of fields (16 bits), then each field's
   * length (32 bits) and its binary send output, exactly as a binary COPY row carries them.
   */
  private static String keyExpression(List<String> columns, List<String> sendFunctions) {
    StringBuilder sql = new StringBuilder("decode('").append(String.format(java.util.Locale.ROOT, "%04x", columns.size()))
        .append("', 'hex')");
    for (int i = 0; i < columns.size(); i++) {
      String send = sendFunctions.get(i) + "(" + columns.get(i) + ")";
      sql.append(" || pg_catalog.int4send(pg_catalog.octet_length(").append(send).append(")) || ").append(send);
    }
    return sql.toString();
  }

  private static byte[] copyOut(CopyManager copy, String sql) throws SQLException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      copy.copyOut(sql, out);
    } catch (IOException e) {
      throw new SQLException("Could not read " + sql + ": " + e, e);
    }
    return out.toByteArray();
  }

  static List<SequenceState> readSequences(Connection connection, List<Relation> sequences) throws SQLException {
    List<SequenceState> states = new ArrayList<>();
    if (sequences.isEmpty()) {
      return states;
    }
    StringBuilder sql = new StringBuilder();
    for (int i = 0; i < sequences.size(); i++) {
      sql.append(i == 0 ? "" : " union all ").append("select ").append(i).append(", last_value, is_called from ")
          .append(sequences.get(i).name());
    }
    try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql + " order by 1")) {
      while (rs.next()) {
        states.add(new SequenceState(sequences.get(rs.getInt(1)), rs.getLong(2), rs.getBoolean(3)));
      }
    }
    return states;
  }

  /**
   * Why this template's clones can't be put back in place, if they can't: rows go back with
   * triggers and foreign-key checks off ({@code session_replication_role = replica}), which takes
   * a superuser or the privilege to set it.
   */
  private static Optional<String> whyNotResettable(Connection connection, List<TableData> tables) throws SQLException {
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("select current_setting('is_superuser') = 'on'"
            + " or has_parameter_privilege('session_replication_role', 'SET'), current_user")) {
      rs.next();
      if (!rs.getBoolean(1)) {
        return Optional.of("the role " + rs.getString(2) + " may not set session_replication_role (rows are put back "
            + "with triggers off): use a superuser, or GRANT SET ON PARAMETER session_replication_role TO "
            + rs.getString(2));
      }
    }
    return Optional.empty();
  }

  List<TableData> tables() {
    return tables;
  }

  List<Relation> materializedViews() {
    return materializedViews;
  }

  List<SequenceState> sequences() {
    return sequences;
  }

  /** The tables, materialized views and sequences, in OID order, for the change probe. */
  List<Relation> relations() {
    List<Relation> all = new ArrayList<>();
    tables.forEach(t -> all.add(t.table()));
    all.addAll(materializedViews);
    sequences.forEach(s -> all.add(s.sequence()));
    all.sort(Comparator.comparingLong(Relation::oid));
    return all;
  }

  CatalogFingerprint.Result catalog() {
    return catalog;
  }

  /** The template's digests, as the snapshot saw them. */
  public TemplateFingerprint fingerprint() {
    return fingerprint;
  }

  /** Why clones of this template must always be recreated, if they must. */
  public Optional<String> notResettable() {
    return notResettable;
  }

  /** Bytes held for the rows, for the log. */
  public long bytes() {
    return tables.stream().mapToLong(t -> t.copy().length).sum();
  }

  /** Rows held, for the log. */
  public long rows() {
    return tables.stream().mapToLong(TableData::rows).sum();
  }
}
