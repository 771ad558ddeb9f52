package io.github.pgisolated.core.internal.reset;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The rows of a {@code COPY … (FORMAT binary)} stream, and a stream of some of them: a reset that
 * puts back only the rows a test deleted or updated copies just those from the template's stream.
 * A row's bytes are its 16-bit field count and its fields (a 32-bit length, -1 for NULL, then the
 * bytes); the stream is the 11-byte signature, 32-bit flags and header extension, the rows, and a
 * field count of -1.
 */
final class CopyRows {
  private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};
  private static final byte[] HEADER = ByteBuffer.allocate(SIGNATURE.length + 8).put(SIGNATURE).putInt(0).putInt(0)
      .array();
  private static final byte[] TRAILER = {(byte) 0xff, (byte) 0xff};

  private CopyRows() {}

  /** Where each row starts and ends in a stream: {@code [start, end)} pairs. */
  static int[][] rows(byte[] copy) {
    ByteBuffer in = ByteBuffer.wrap(copy);
    byte[] signature = new byte[SIGNATURE.length];
    in.get(signature);
    if (!Arrays.equals(signature, SIGNATURE)) {
      throw new IllegalArgumentException("not COPY binary output (bad signature)");
    }
    in.getInt();
    int extension = in.getInt();
    in.position(in.position() + extension);
    List<int[]> rows = new ArrayList<>();
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
      rows.add(new int[] {start, in.position()});
    }
    return rows.toArray(int[][]::new);
  }

  /**
   * A row's key: the given fields (0-based, ascending) encoded as a row of their own, so that it
   * equals the bytes {@code COPY (SELECT key columns …) TO STDOUT (FORMAT binary)} gives for it.
   */
  static Key key(byte[] copy, int[] row, int[] fields) {
    ByteBuffer in = ByteBuffer.wrap(copy, row[0], row[1] - row[0]);
    short count = in.getShort();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(fields.length >>> 8);
    out.write(fields.length);
    int next = 0;
    for (int f = 0; f < count && next < fields.length; f++) {
      int start = in.position();
      int length = in.getInt();
      int end = in.position() + Math.max(length, 0);
      if (f == fields[next]) {
        out.write(copy, start, end - start);
        next++;
      }
      in.position(end);
    }
    return new Key(out.toByteArray());
  }

  /** A stream of the given rows of {@code copy}. */
  static byte[] select(byte[] copy, List<int[]> rows) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(HEADER);
    for (int[] row : rows) {
      out.write(copy, row[0], row[1] - row[0]);
    }
    out.writeBytes(TRAILER);
    return out.toByteArray();
  }

  /** A row key's bytes, comparable. */
  record Key(byte[] bytes) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "Key" + Arrays.toString(bytes);
    }
  }
}
