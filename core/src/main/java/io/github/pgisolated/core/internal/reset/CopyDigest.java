package io.github.pgisolated.core.internal.reset;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A digest of a table's rows from its {@code COPY … TO STDOUT (FORMAT binary)} output that does not
 * depend on the order of the rows: each row is hashed on its own and the sorted row hashes are
 * hashed together with the row count. Two tables have the same digest exactly when they hold the
 * same multiset of rows (up to SHA-256 collisions), whatever their physical order, so a table whose
 * rows were put back by a reset matches the template's although its rows sit elsewhere on disk.
 *
 * <p>A value's bytes are the type's binary send output (see {@link CopyRows} for the format), the
 * same in the template and in every clone on one server.
 */
final class CopyDigest {
  private CopyDigest() {}

  /** The rows and the digest of one table's binary COPY output. */
  record Result(long rows, String digest) {}

  static Result of(byte[] copy) {
    MessageDigest row = sha256();
    int[][] rows = CopyRows.rows(copy);
    Long128[] sorted = new Long128[rows.length];
    for (int i = 0; i < rows.length; i++) {
      row.update(copy, rows[i][0], rows[i][1] - rows[i][0]);
      ByteBuffer hash = ByteBuffer.wrap(row.digest());
      sorted[i] = new Long128(hash.getLong(), hash.getLong());
    }
    // Sorted, so that the digest does not depend on the rows' order.
    Arrays.sort(sorted);
    MessageDigest table = sha256();
    ByteBuffer buffer = ByteBuffer.allocate(16);
    table.update(ByteBuffer.allocate(8).putLong(rows.length).array());
    for (Long128 hash : sorted) {
      buffer.clear();
      table.update(buffer.putLong(hash.high).putLong(hash.low).array());
    }
    return new Result(rows.length, HexFormat.of().formatHex(table.digest(), 0, 16));
  }

  private record Long128(long high, long low) implements Comparable<Long128> {
    @Override
    public int compareTo(Long128 other) {
      int c = Long.compare(high, other.high);
      return c != 0 ? c : Long.compare(low, other.low);
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }
}
