package io.github.pgisolated.core.internal.template;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 fed with length-prefixed parts, so that no two different sequences of parts feed the
 * same bytes (the template hash and the lineage are built this way).
 */
final class Digests {
  private Digests() {}

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  static void update(MessageDigest digest, String text) {
    update(digest, text.getBytes(StandardCharsets.UTF_8));
  }

  static void update(MessageDigest digest, byte[] bytes) {
    digest.update(new byte[] {
        (byte) (bytes.length >>> 24), (byte) (bytes.length >>> 16), (byte) (bytes.length >>> 8), (byte) bytes.length});
    digest.update(bytes);
  }
}
