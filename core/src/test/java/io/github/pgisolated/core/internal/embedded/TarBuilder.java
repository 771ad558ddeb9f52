package io.github.pgisolated.core.internal.embedded;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Writes tar archives byte by byte for tests, including malicious ones no real tool writes. */
final class TarBuilder {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  TarBuilder file(String name, String content, int mode) {
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    header(name, '0', bytes.length, mode, "");
    data(bytes);
    return this;
  }

  TarBuilder directory(String name, int mode) {
    header(name, '5', 0, mode, "");
    return this;
  }

  TarBuilder symlink(String name, String target) {
    header(name, '2', 0, 0777, target);
    return this;
  }

  TarBuilder hardlink(String name, String target) {
    header(name, '1', 0, 0644, target);
    return this;
  }

  /** A GNU {@code L} entry carrying the name of the next entry. */
  TarBuilder gnuLongName(String name) {
    byte[] bytes = (name + "\0").getBytes(StandardCharsets.UTF_8);
    header("././@LongLink", 'L', bytes.length, 0644, "");
    data(bytes);
    return this;
  }

  /** A pax {@code x} header with one record for the next entry. */
  TarBuilder pax(String key, String value) {
    String body = key + "=" + value + "\n";
    int length = body.length() + 2;
    while (Integer.toString(length).length() + 1 + body.length() != length) {
      length = Integer.toString(length).length() + 1 + body.length();
    }
    byte[] bytes = (length + " " + body).getBytes(StandardCharsets.UTF_8);
    header("PaxHeaders/x", 'x', bytes.length, 0644, "");
    data(bytes);
    return this;
  }

  byte[] build() {
    out.writeBytes(new byte[1024]);
    return out.toByteArray();
  }

  /** Overwrites one byte of the last header written (to corrupt it). */
  TarBuilder corruptLastHeader() {
    byte[] bytes = out.toByteArray();
    int last = bytes.length - 512;
    while (last > 0 && bytes[last + 257] != 'u') {
      last -= 512;
    }
    bytes[last + 10] ^= 0x55;
    out.reset();
    out.writeBytes(bytes);
    return this;
  }

  private void header(String name, char type, long size, int mode, String link) {
    byte[] header = new byte[512];
    put(header, 0, 100, name);
    put(header, 100, 8, String.format("%07o", mode));
    put(header, 108, 8, "0000000");
    put(header, 116, 8, "0000000");
    put(header, 124, 12, String.format("%011o", size));
    put(header, 136, 12, "00000000000");
    header[156] = (byte) type;
    put(header, 157, 100, link);
    put(header, 257, 6, "ustar");
    put(header, 263, 2, "00");
    for (int i = 148; i < 156; i++) {
      header[i] = ' ';
    }
    long sum = 0;
    for (byte b : header) {
      sum += b & 0xff;
    }
    put(header, 148, 8, String.format("%06o\0 ", sum));
    out.writeBytes(header);
  }

  private void data(byte[] bytes) {
    out.writeBytes(bytes);
    out.writeBytes(new byte[(512 - bytes.length % 512) % 512]);
  }

  private static void put(byte[] header, int offset, int length, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(bytes, 0, header, offset, Math.min(length, bytes.length));
  }
}
