package io.github.pgisolated.core.internal.embedded;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A small streaming reader of tar archives, enough for the PostgreSQL binaries archives and for
 * what GNU tar and pax writers produce: ustar and GNU headers, regular files, directories,
 * symbolic and hard links, GNU long names and long link names ({@code L}, {@code K}), and pax
 * extended headers ({@code x} for the next entry; {@code g} global headers are read and
 * ignored). Sizes in octal or base-256. Header checksums are verified.
 *
 * <p>It only parses: {@link TarExtractor} decides what is safe to write. Not thread-safe; one
 * reader per stream. Written here rather than depending on commons-compress to keep the
 * library's dependency footprint small.
 */
public final class TarReader {

  private static final int BLOCK = 512;

  /** What an entry is. Everything but these (devices, FIFOs) is {@link #OTHER}. */
  public enum Type { FILE, DIRECTORY, SYMLINK, HARDLINK, OTHER }

  /**
   * One archive entry.
   *
   * @param name the path inside the archive, as written (may start with {@code ./})
   * @param type what the entry is
   * @param size the content length in bytes (0 but for files)
   * @param mode the permission bits, e.g. {@code 0755}
   * @param linkName the target of a link, else empty
   */
  public record Entry(String name, Type type, long size, int mode, String linkName) {}

  private final InputStream in;
  private final byte[] header = new byte[BLOCK];
  private long remaining;
  private long padding;

  public TarReader(InputStream in) {
    this.in = in;
  }

  /** The next entry, skipping any unread content of the current one; {@code null} at the end. */
  public Entry next() throws IOException {
    skipRest();
    String longName = null;
    String longLink = null;
    Map<String, String> pax = Map.of();
    while (true) {
      if (!readBlock(header)) {
        return null;
      }
      if (isZeroBlock(header)) {
        return null;
      }
      verifyChecksum(header);
      char typeFlag = (char) header[156];
      long size = parseNumber(header, 124, 12);
      if (size < 0) {
        throw new IOException("Corrupt tar header: negative size");
      }
      switch (typeFlag) {
        case 'L' -> longName = trimNul(readText(size));
        case 'K' -> longLink = trimNul(readText(size));
        case 'x' -> pax = parsePax(readText(size));
        case 'g' -> parsePax(readText(size));
        default -> {
          String name = longName != null ? longName : headerName(header);
          String link = longLink != null ? longLink : string(header, 157, 100);
          name = pax.getOrDefault("path", name);
          link = pax.getOrDefault("linkpath", link);
          if (pax.containsKey("size")) {
            size = Long.parseLong(pax.get("size").trim());
          }
          int mode = (int) (parseNumber(header, 100, 8) & 07777);
          Type type = typeOf(typeFlag, name);
          remaining = size;
          padding = padding(size);
          return new Entry(name, type, type == Type.FILE ? size : 0, mode, link);
        }
      }
    }
  }

  /** The content of the current entry; valid until {@link #next()}. Not to be closed. */
  public InputStream content() {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] buffer, int offset, int length) throws IOException {
        if (remaining <= 0) {
          return -1;
        }
        int n = in.read(buffer, offset, (int) Math.min(length, remaining));
        if (n < 0) {
          throw new EOFException("Truncated tar archive");
        }
        remaining -= n;
        return n;
      }
    };
  }

  private static Type typeOf(char flag, String name) {
    return switch (flag) {
      case '0', '\0', '7' -> name.endsWith("/") ? Type.DIRECTORY : Type.FILE;
      case '5' -> Type.DIRECTORY;
      case '2' -> Type.SYMLINK;
      case '1' -> Type.HARDLINK;
      default -> Type.OTHER;
    };
  }

  private void skipRest() throws IOException {
    skipFully(remaining + padding);
    remaining = 0;
    padding = 0;
  }

  private String readText(long size) throws IOException {
    if (size > 1 << 20) {
      throw new IOException("Tar extended header of " + size + " bytes is too large");
    }
    byte[] bytes = new byte[(int) size];
    if (in.readNBytes(bytes, 0, bytes.length) != bytes.length) {
      throw new EOFException("Truncated tar archive");
    }
    skipFully(padding(size));
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** Pax records are {@code "<length> <key>=<value>\n"}, the length counting the whole record. */
  static Map<String, String> parsePax(String text) throws IOException {
    Map<String, String> records = new HashMap<>();
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    int position = 0;
    while (position < bytes.length) {
      int space = position;
      while (space < bytes.length && bytes[space] != ' ') {
        space++;
      }
      int length;
      try {
        length = Integer.parseInt(new String(bytes, position, space - position,
            StandardCharsets.US_ASCII));
      } catch (NumberFormatException e) {
        throw new IOException("Corrupt pax header near byte " + position, e);
      }
      if (length <= 0 || position + length > bytes.length) {
        throw new IOException("Corrupt pax header near byte " + position);
      }
      String record = new String(bytes, space + 1, position + length - space - 2,
          StandardCharsets.UTF_8);
      int equals = record.indexOf('=');
      if (equals > 0) {
        records.put(record.substring(0, equals), record.substring(equals + 1));
      }
      position += length;
    }
    return records;
  }

  private static String headerName(byte[] header) {
    String name = string(header, 0, 100);
    boolean posixUstar = header[257] == 'u' && header[262] == 0;
    String prefix = posixUstar ? string(header, 345, 155) : "";
    return prefix.isEmpty() ? name : prefix + "/" + name;
  }

  private static void verifyChecksum(byte[] header) throws IOException {
    long expected = parseNumber(header, 148, 8);
    long sum = 0;
    for (int i = 0; i < BLOCK; i++) {
      sum += (i >= 148 && i < 156) ? ' ' : header[i] & 0xff;
    }
    if (sum != expected) {
      throw new IOException("Corrupt tar archive: header checksum " + expected
          + " does not match " + sum);
    }
  }

  /** Octal (NUL or space terminated), or big-endian base-256 when the high bit is set. */
  static long parseNumber(byte[] header, int offset, int length) throws IOException {
    if ((header[offset] & 0x80) != 0) {
      long value = header[offset] & 0x7f;
      for (int i = 1; i < length; i++) {
        value = (value << 8) | (header[offset + i] & 0xff);
      }
      return value;
    }
    long value = 0;
    int i = offset;
    int end = offset + length;
    while (i < end && (header[i] == ' ' || header[i] == 0)) {
      i++;
    }
    for (; i < end && header[i] != 0 && header[i] != ' '; i++) {
      if (header[i] < '0' || header[i] > '7') {
        throw new IOException("Corrupt tar header: bad octal number at offset " + offset);
      }
      value = value * 8 + (header[i] - '0');
    }
    return value;
  }

  private static String string(byte[] header, int offset, int length) {
    int end = offset;
    while (end < offset + length && header[end] != 0) {
      end++;
    }
    return new String(header, offset, end - offset, StandardCharsets.UTF_8);
  }

  private static String trimNul(String text) {
    int nul = text.indexOf('\0');
    return nul < 0 ? text : text.substring(0, nul);
  }

  private static long padding(long size) {
    return (BLOCK - size % BLOCK) % BLOCK;
  }

  private static boolean isZeroBlock(byte[] block) {
    for (byte b : block) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private boolean readBlock(byte[] block) throws IOException {
    int n = in.readNBytes(block, 0, BLOCK);
    if (n == 0) {
      return false;
    }
    if (n != BLOCK) {
      throw new EOFException("Truncated tar archive");
    }
    return true;
  }

  private void skipFully(long count) throws IOException {
    long left = count;
    while (left > 0) {
      long skipped = in.skip(left);
      if (skipped <= 0) {
        if (in.read() < 0) {
          throw new EOFException("Truncated tar archive");
        }
        skipped = 1;
      }
      left -= skipped;
    }
  }
}
