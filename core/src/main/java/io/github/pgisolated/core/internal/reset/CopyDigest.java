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
 * <p>The binary format is PostgreSQL's own (an 11-byte signature, flags, a header extension, then
 * per row a 16-bit field count and per field a 32-bit length, -1 for NULL, and the bytes; a field
 * count of -1 ends the data); a value's bytes are the type's binary send output, the same in the
 * template and in every clone on one server.
 */
final class CopyDigest {
  private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};

  private CopyDigest() {}

  /** The rows and the digest of one table's binary COPY output. */
  record Result(long rows, String digest) {}

  static Result of(byte[] copy) {
    ByteBuffer in = ByteBuffer.wrap(copy);
    byte[] signature = new byte[SIGNATURE.length];
    in.get(signature);
    if (!Arrays.equals(signature, SIGNATURE)) {
      throw new IllegalArgumentException("not COPY binary output (bad signature)");
    }
    in.getInt(); // flags
    int extension = in.getInt();
    in.position(in.position() + extension);
    MessageDigest row = sha256();
    long[] hashes = new long[64];
    int rows = 0;
    while (true) {
      int start = in.position();
      short fields = in.getShort();
      if (fields == -1) {
        break;
      }
      for (int f = 0; f < fields; f++) {
        int length = in.getInt();
        if (length > 0) {
          in.position(in.position() + length);
        }
      }
      row.update(copy, start, in.position() - start);
      ByteBuffer hash = ByteBuffer.wrap(row.digest());
      if (2 * rows + 2 > hashes.length) {
        hashes = Arrays.copyOf(hashes, hashes.length * 2);
      }
      hashes[2 * rows] = hash.getLong();
      hashes[2 * rows + 1] = hash.getLong();
      rows++;
    }
    // Sort the 128-bit row hashes (pairs of longs) by their first half, then the second.
    Long128[] sorted = new Long128[rows];
    for (int i = 0; i < rows; i++) {
      sorted[i] = new Long128(hashes[2 * i], hashes[2 * i + 1]);
    }
    Arrays.sort(sorted);
    MessageDigest table = sha256();
    ByteBuffer buffer = ByteBuffer.allocate(16);
    table.update(ByteBuffer.allocate(8).putLong(rows).array());
    for (Long128 hash : sorted) {
      buffer.clear();
      table.update(buffer.putLong(hash.high).putLong(hash.low).array());
    }
    return new Result(rows, HexFormat.of().formatHex(table.digest(), 0, 16));
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
