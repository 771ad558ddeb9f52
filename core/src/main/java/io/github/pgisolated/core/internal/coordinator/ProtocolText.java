package io.github.pgisolated.core.internal.coordinator;

import java.nio.charset.StandardCharsets;

/**
 * Free text on the wire: the message of {@code ERROR} and the body of {@code STATUS}. A pool's
 * message may span lines and a status may be long, but a protocol line may not, so text is escaped
 * ({@code \\}, {@code \n}, {@code \r}, {@code \t}, and {@code \}{@code uXXXX} for other control
 * characters) and cut to fit, on a character boundary and never inside an escape. A reader that
 * does not unescape still sees readable text. Stateless and thread-safe.
 */
final class ProtocolText {

  private static final String TRUNCATED = "...";

  private ProtocolText() {}

  /** {@code prefix} + escaped {@code text}, cut (ending in "...") to fit one line. */
  static String fitLine(String prefix, String text) {
    int budget = WireProtocol.MAX_LINE_BYTES - 1 - utf8Length(prefix);
    String escaped = escape(text);
    if (utf8Length(escaped) <= budget) {
      return prefix + escaped;
    }
    StringBuilder line = new StringBuilder(prefix);
    int used = 0;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      String piece = escape(cp);
      int bytes = utf8Length(piece);
      if (used + bytes > budget - TRUNCATED.length()) {
        break;
      }
      line.append(piece);
      used += bytes;
      i += Character.charCount(cp);
    }
    return line.append(TRUNCATED).toString();
  }

  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints().forEach(cp -> out.append(escape(cp)));
    return out.toString();
  }

  private static String escape(int cp) {
    return switch (cp) {
      case '\\' -> "\\\\";
      case '\n' -> "\\n";
      case '\r' -> "\\r";
      case '\t' -> "\\t";
      default -> isUnprintable(cp) ? String.format("\\u%04X", cp) : Character.toString(cp);
    };
  }

  /** Undoes {@link #escape}; a malformed escape is kept as it is. */
  static String unescape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      char next = i + 1 < text.length() ? text.charAt(i + 1) : 0;
      if (c != '\\') {
        out.append(c);
      } else if (next == '\\' || next == 'n' || next == 'r' || next == 't') {
        out.append(next == 'n' ? '\n' : next == 'r' ? '\r' : next == 't' ? '\t' : '\\');
        i++;
      } else if (next == 'u' && i + 6 <= text.length()
          && text.substring(i + 2, i + 6).matches("[0-9A-Fa-f]{4}")) {
        out.append((char) Integer.parseInt(text.substring(i + 2, i + 6), 16));
        i += 5;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** C0 and C1 controls, DEL, line and paragraph separators, lone surrogates. */
  static boolean isUnprintable(int cp) {
    int type = Character.getType(cp);
    return type == Character.CONTROL || type == Character.SURROGATE
        || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
  }

  /** A token or text shown in a message: quoted, escaped, at most 40 characters. */
  static String preview(String text) {
    String cut = text.length() > 40 ? text.substring(0, 40) + TRUNCATED : text;
    return "\"" + escape(cut) + "\"";
  }

  static int utf8Length(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }
}
