package io.github.pgisolated.core.internal.coordinator;

import static io.github.pgisolated.core.internal.coordinator.ProtocolText.isUnprintable;
import static io.github.pgisolated.core.internal.coordinator.ProtocolText.preview;
import static io.github.pgisolated.core.internal.coordinator.ProtocolText.utf8Length;

import io.github.pgisolated.core.internal.coordinator.LeaseService.Holder;
import io.github.pgisolated.core.internal.coordinator.LeaseService.Lease;
import java.util.regex.Pattern;

/**
 * Wire protocol v1 between lease holders and the coordinator, as lines: parsing, validation and
 * formatting, no I/O ({@link LineChannel} moves the lines). {@code docs/protocol.md} is the
 * specification; this class is its one implementation in Java, shared by {@link
 * LeaseSocketServer} and {@link LeaseSocketClient} so that the two cannot drift apart.
 *
 * <p>Lines are UTF-8, end with {@code \n} and are at most {@value #MAX_LINE_BYTES} bytes
 * including it. Tokens are separated by single spaces. Free text (the message of {@code ERROR},
 * the body of {@code STATUS}) is escaped by {@link ProtocolText}. Stateless and thread-safe.
 */
final class WireProtocol {

  static final String MAGIC = "PGISOLATED";
  static final String VERSION = "1";
  static final int MAX_LINE_BYTES = 1024;
  static final long MAX_TIMEOUT_MILLIS = 3_600_000L;

  static final String LEASED = "LEASED";
  static final String RETURN = "RETURN";
  static final String RETURNED = "RETURNED";

  /** The give-back line for a disposition: {@code RETURN}, {@code RETURN UNCHANGED} or {@code RETURN KEPT}. */
  static String returnLine(LeaseService.Disposition disposition) {
    return disposition == LeaseService.Disposition.DIRTY ? RETURN : RETURN + " " + disposition.name();
  }

  /** The disposition a give-back line names, or null when the line is no give-back. */
  static LeaseService.Disposition parseReturn(String line) {
    for (LeaseService.Disposition disposition : LeaseService.Disposition.values()) {
      if (line.equals(returnLine(disposition))) {
        return disposition;
      }
    }
    return null;
  }
  static final String STATUS = "STATUS";
  static final String ERROR = "ERROR";

  private static final Pattern TEMPLATE_HASH = Pattern.compile("[0-9a-f]{16}");
  private static final Pattern DATABASE = Pattern.compile("pgisolated_[0-9a-f]{16}_[0-9]{4}");
  private static final Pattern TIMEOUT = Pattern.compile("[1-9][0-9]{0,6}");
  private static final Pattern PID = Pattern.compile("[1-9][0-9]{0,18}");
  private static final Pattern GENERATION = Pattern.compile("-?[0-9]{1,19}");

  private WireProtocol() {}

  /** A client's first line. */
  sealed interface Request permits LeaseRequest, ReclaimRequest, StatusRequest {}

  record LeaseRequest(String templateHash, long timeoutMillis, Holder holder) implements Request {}

  record ReclaimRequest(String database, Holder holder) implements Request {}

  record StatusRequest() implements Request {}

  // ---- requests ---------------------------------------------------------------------------

  /** Parses and validates a request line (without its {@code \n}). */
  static Request parseRequest(String line) throws ProtocolException {
    if (line.endsWith("\r")) {
      throw badRequest("the line ends with \\r\\n; lines end with \\n alone");
    }
    if (parseReturn(line) != null) {
      throw badRequest("RETURN before LEASED: this connection holds no lease (out of order)");
    }
    Tokens tokens = new Tokens(line);
    String magic = tokens.next("PGISOLATED");
    if (!magic.equals(MAGIC)) {
      throw badRequest("not a pgisolated request: the first line starts with \"PGISOLATED 1 \", "
          + "not " + preview(line));
    }
    String version = tokens.next("<version>");
    if (!version.equals(VERSION)) {
      throw new ProtocolException(ErrorCode.UNSUPPORTED_VERSION, "this coordinator speaks "
          + "protocol version " + VERSION + " only, not " + preview(version));
    }
    String verb = tokens.next("<verb>");
    switch (verb) {
      case "LEASE" -> {
        String hash = templateHash(tokens.next("<template-hash>"));
        long timeout = timeoutMillis(tokens.next("<timeout-ms>"));
        long pid = pid(tokens.next("<pid>"));
        return new LeaseRequest(hash, timeout, new Holder(pid, holderName(tokens.rest())));
      }
      case "RECLAIM" -> {
        String database = database(tokens.next("<database>"));
        long pid = pid(tokens.next("<pid>"));
        return new ReclaimRequest(database, new Holder(pid, holderName(tokens.rest())));
      }
      case "STATUS" -> {
        tokens.end();
        return new StatusRequest();
      }
      default -> throw badRequest("unknown verb " + preview(verb)
          + "; expected LEASE, RECLAIM or STATUS");
    }
  }

  static String leaseRequest(String templateHash, long timeoutMillis, Holder holder) {
    return fitName(MAGIC + " " + VERSION + " LEASE " + templateHash + " " + timeoutMillis + " "
        + holder.pid() + " ", holder);
  }

  static String reclaimRequest(String database, Holder holder) {
    return fitName(MAGIC + " " + VERSION + " RECLAIM " + database + " " + holder.pid() + " ",
        holder);
  }

  static String statusRequest() {
    return MAGIC + " " + VERSION + " " + STATUS;
  }

  // ---- replies ----------------------------------------------------------------------------

  /**
   * The {@code LEASED} line for a lease the service handed out.
   *
   * @throws ProtocolException ({@code INTERNAL}) if the lease cannot travel in protocol v1
   */
  static String leasedLine(Lease lease) throws ProtocolException {
    if (!TEMPLATE_HASH.matcher(lease.templateHash()).matches()
        || !DATABASE.matcher(lease.database()).matches()) {
      throw new ProtocolException(ErrorCode.INTERNAL, "the pool handed out " + lease
          + ", which protocol " + VERSION + " cannot carry");
    }
    return LEASED + " " + lease.templateHash() + " " + lease.database() + " "
        + lease.generation();
  }

  /** Parses a {@code LEASED} line (the client's side). */
  static Lease parseLeased(String line) throws ProtocolException {
    Tokens tokens = new Tokens(line);
    if (!tokens.next(LEASED).equals(LEASED)) {
      throw badRequest("expected LEASED, got " + preview(line));
    }
    String hash = templateHash(tokens.next("<template-hash>"));
    String database = database(tokens.next("<database>"));
    String generation = tokens.next("<generation>");
    tokens.end();
    if (!GENERATION.matcher(generation).matches()) {
      throw badRequest("<generation> must be a decimal integer, not " + preview(generation));
    }
    try {
      return new Lease(hash, database, Long.parseLong(generation));
    } catch (NumberFormatException e) {
      throw badRequest("<generation> out of range: " + preview(generation));
    }
  }

  static String errorLine(ErrorCode code, String message) {
    return ProtocolText.fitLine(ERROR + " " + code.name() + " ", message == null ? "" : message);
  }

  /**
   * Reads an {@code ERROR} line as the exception it stands for. An unknown code (from a newer
   * server) becomes {@code INTERNAL}, its text kept.
   */
  static ProtocolException parseError(String line) {
    String rest = line.substring(Math.min(line.length(), ERROR.length() + 1));
    int space = rest.indexOf(' ');
    String token = space < 0 ? rest : rest.substring(0, space);
    String message = ProtocolText.unescape(space < 0 ? "" : rest.substring(space + 1));
    return ErrorCode.parse(token)
        .map(code -> new ProtocolException(code, message))
        .orElseGet(() -> new ProtocolException(ErrorCode.INTERNAL,
            "unknown error code " + preview(token) + ": " + message));
  }

  static String statusLine(String text) {
    return ProtocolText.fitLine(STATUS + " ", text);
  }

  static boolean isError(String line) {
    return line.equals(ERROR) || line.startsWith(ERROR + " ");
  }

  // ---- arguments --------------------------------------------------------------------------

  /** Why {@code hash} is not a valid {@code <template-hash>}, or {@code null} if it is. */
  static String templateHashProblem(String hash) {
    try {
      templateHash(hash);
      return null;
    } catch (ProtocolException e) {
      return e.getMessage();
    }
  }

  /** Why {@code database} is not a valid {@code <database>}, or {@code null} if it is. */
  static String databaseProblem(String database) {
    try {
      database(database);
      return null;
    } catch (ProtocolException e) {
      return e.getMessage();
    }
  }

  private static String templateHash(String token) throws ProtocolException {
    if (!TEMPLATE_HASH.matcher(token).matches()) {
      throw badRequest("<template-hash> must be 16 lower-case hex digits, not " + preview(token));
    }
    return token;
  }

  private static String database(String token) throws ProtocolException {
    if (!DATABASE.matcher(token).matches()) {
      throw badRequest("<database> must look like pgisolated_<16 hex>_<4 digits>, not "
          + preview(token));
    }
    return token;
  }

  private static long timeoutMillis(String token) throws ProtocolException {
    if (!TIMEOUT.matcher(token).matches() || Long.parseLong(token) > MAX_TIMEOUT_MILLIS) {
      throw badRequest("<timeout-ms> must be 1 to " + MAX_TIMEOUT_MILLIS + ", not "
          + preview(token));
    }
    return Long.parseLong(token);
  }

  private static long pid(String token) throws ProtocolException {
    try {
      if (PID.matcher(token).matches()) {
        return Long.parseLong(token);
      }
    } catch (NumberFormatException e) {
      // Too large: reported below.
    }
    throw badRequest("<pid> must be a positive decimal integer, not " + preview(token));
  }

  private static String holderName(String name) throws ProtocolException {
    if (name.isBlank()) {
      throw badRequest("missing <holder-name>");
    }
    for (int i = 0; i < name.length(); ) {
      int cp = name.codePointAt(i);
      if (isUnprintable(cp)) {
        throw badRequest(String.format("<holder-name> contains the control character U+%04X", cp));
      }
      i += Character.charCount(cp);
    }
    return name;
  }

  /** {@code prefix} + the holder's name made sendable: printable, not blank, cut to fit. */
  private static String fitName(String prefix, Holder holder) {
    StringBuilder name = new StringBuilder();
    holder.name().codePoints()
        .forEach(cp -> name.appendCodePoint(isUnprintable(cp) ? '?' : cp));
    String sendable = name.toString().isBlank() ? "pid " + holder.pid() : name.toString();
    int budget = MAX_LINE_BYTES - 1 - utf8Length(prefix);
    StringBuilder line = new StringBuilder(prefix);
    int used = 0;
    for (int i = 0; i < sendable.length(); ) {
      int cp = sendable.codePointAt(i);
      int bytes = utf8Length(Character.toString(cp));
      if (used + bytes > budget) {
        break;
      }
      line.appendCodePoint(cp);
      used += bytes;
      i += Character.charCount(cp);
    }
    return line.toString();
  }

  private static ProtocolException badRequest(String message) {
    return new ProtocolException(ErrorCode.BAD_REQUEST, message);
  }

  /** Splits a line into tokens separated by single spaces; an empty token is an error. */
  private static final class Tokens {
    private final String line;
    private int position;

    Tokens(String line) {
      this.line = line;
    }

    String next(String what) throws ProtocolException {
      if (position > line.length() || position == line.length() && position > 0) {
        throw badRequest("missing " + what);
      }
      int space = line.indexOf(' ', position);
      int end = space < 0 ? line.length() : space;
      if (end == position) {
        throw badRequest(line.isEmpty() ? "empty line" : "empty token where " + what
            + " belongs (tokens are separated by single spaces)");
      }
      String token = line.substring(position, end);
      position = end + 1;
      return token;
    }

    /** The rest of the line, verbatim (may be empty). */
    String rest() {
      String rest = position > line.length() ? "" : line.substring(position);
      position = line.length() + 1;
      return rest;
    }

    void end() throws ProtocolException {
      if (position <= line.length()) {
        String rest = rest();
        throw badRequest(rest.isEmpty() ? "a space at the end of the line"
            : "unexpected text at the end of the line: " + preview(rest));
      }
    }
  }
}
