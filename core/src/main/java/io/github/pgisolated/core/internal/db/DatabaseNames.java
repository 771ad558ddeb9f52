package io.github.pgisolated.core.internal.db;

import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names and ownership markers of the databases pgisolated creates.
 *
 * <p>Names carry a fixed prefix, the template hash and an index: {@code pgisolated_<hash>_tpl}
 * for a template and {@code pgisolated_<hash>_0007} for its clones. A name alone proves nothing (a
 * user may create a look-alike), so every database pgisolated creates also gets a comment, its
 * <em>marker</em>, and only marked databases are ever dropped, altered or handed out:
 *
 * <ul>
 *   <li>{@code pgisolated:1 template <hash> building}: a template being built, or left half-built
 *       by a crash: never cloned, dropped and rebuilt;</li>
 *   <li>{@code pgisolated:1 template <hash> ready lineage=<16 hex> used=<epoch seconds>
 *       [content=<32 hex> catalog=<16 hex>] [demand=<peak>/<per minute>]}: a finished template,
 *       written last, as the commit marker; {@code used} is rewritten when a JVM reuses it;
 *       {@code content} and {@code catalog} are its fingerprint (for resets in place), written by
 *       its builder; {@code demand} is what the last run needed of its pool, written by the last
 *       coordinator. The bare {@code pgisolated:1 template <hash> ready} of earlier versions is
 *       still read (no lineage, last use unknown);</li>
 *   <li>{@code pgisolated:1 template <hash> failed at=<epoch seconds>}, then a line break and the
 *       build's error (at most {@link #MAX_FAILURE_BYTES}): a build that failed, kept so that every
 *       JVM that waited for it gets its error; never cloned, dropped by the next attempt. Read
 *       without {@code at=} too (time unknown);</li>
 *   <li>{@code pgisolated:1 clone <hash>}: a clone; {@code pgisolated:1 clone <hash> clean
 *       at=<epoch seconds> sessions=<n>}: one a coordinator left ready when it closed (see the
 *       pool package's {@code CleanStamps}).</li>
 * </ul>
 *
 * <p>{@link #parse} accepts exactly these forms: one line (only a failed marker has more), no
 * stray spaces, hashes and lineages of 16 lower-case hex characters, times of at most 12 digits.
 */
public final class DatabaseNames {
  static final String PREFIX = "pgisolated_";
  /** The most of a build error a failed marker keeps (PostgreSQL comments are not meant for novels). */
  static final int MAX_FAILURE_BYTES = 8 * 1024;
  private static final Pattern MARKER = Pattern.compile("pgisolated:1 (?:clone ([0-9a-f]{16})"
      + "(?: clean at=([0-9]{1,12}) sessions=([0-9]{1,12}))?|template ([0-9a-f]{16}) "
      + "(?:(building)|(ready)(?: lineage=([0-9a-f]{16}) used=([0-9]{1,12})"
      + "(?: content=([0-9a-f]{32}) catalog=([0-9a-f]{16}))?(?: demand=([0-9]{1,4})/([0-9]{1,7}))?)?"
      + "|(failed)(?: at=([0-9]{1,12}))?))");
  private static final Pattern TEMPLATE_NAME = Pattern.compile("pgisolated_([0-9a-f]{16})_tpl");
  private static final Pattern CLONE_NAME = Pattern.compile("pgisolated_([0-9a-f]{16})_[0-9]{4}");

  private DatabaseNames() {}

  public static String template(String hash) {
    return PREFIX + hash + "_tpl";
  }

  public static String clone(String hash, int index) {
    return PREFIX + hash + "_" + String.format("%04d", index);
  }

  /** A LIKE pattern matching the template and clone names of one hash. */
  public static String likePattern(String hash) {
    return PREFIX.replace("_", "\\_") + hash + "\\_%";
  }

  /** A LIKE pattern matching every name pgisolated gives a database. */
  public static String likeAnyPattern() {
    return PREFIX.replace("_", "\\_") + "%";
  }

  /** The hash in a template's name, if it is shaped like one. */
  public static Optional<String> hashOfTemplateName(String name) {
    Matcher m = TEMPLATE_NAME.matcher(name);
    return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /** The hash in a clone's name, if it is shaped like one. */
  public static Optional<String> hashOfCloneName(String name) {
    Matcher m = CLONE_NAME.matcher(name);
    return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
  }

  public static String buildingMarker(String hash) {
    return "pgisolated:1 template " + hash + " building";
  }

  public static String readyMarker(String hash, String lineage, Instant used) {
    return readyMarker(hash, lineage, used, Optional.empty(), Optional.empty());
  }

  /**
   * The ready marker with what the builder recorded of the template's contents (for resets in
   * place) and what the last run needed of its pool, when known.
   */
  public static String readyMarker(String hash, String lineage, Instant used, Optional<TemplateFingerprint> fingerprint,
      Optional<Demand> demand) {
    return "pgisolated:1 template " + hash + " ready lineage=" + lineage + " used=" + used.getEpochSecond()
        + fingerprint.map(f -> " content=" + f.content() + " catalog=" + f.catalog()).orElse("")
        + demand.map(d -> " demand=" + d.peak() + "/" + d.perMinute()).orElse("");
  }


  /**
   * The failed marker line, a line break and the error, cut to {@link #MAX_FAILURE_BYTES} and
   * stripped of control characters but line breaks and tabs (a NUL can't be stored at all).
   */
  public static String failedMarker(String hash, Instant at, String error) {
    StringBuilder text = new StringBuilder();
    int bytes = 0;
    String source = error == null || error.isBlank() ? "(no error message)" : error;
    for (int i = 0; i < source.length(); ) {
      int cp = source.codePointAt(i);
      i += Character.charCount(cp);
      if (Character.isISOControl(cp) && cp != '\n' && cp != '\t') {
        continue;
      }
      int size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (bytes + size > MAX_FAILURE_BYTES - 16) {
        text.append("\n(cut)");
        break;
      }
      text.appendCodePoint(cp);
      bytes += size;
    }
    return "pgisolated:1 template " + hash + " failed at=" + at.getEpochSecond() + "\n" + text;
  }

  public static String cloneMarker(String hash) {
    return "pgisolated:1 clone " + hash;
  }
  /**
   * The marker of a clone a coordinator left ready when it closed: it was in its template's state
   * then, and still is if nobody connected to it since ({@code sessions}, the database's session
   * count then) and the server has not restarted since ({@code at}).
   */
  public static String cleanCloneMarker(String hash, Instant at, long sessions) {
    return "pgisolated:1 clone " + hash + " clean at=" + at.getEpochSecond() + " sessions=" + sessions;
  }


  /** What a database's comment says about it, if it is pgisolated's. */
  public static Optional<Marker> parse(String comment) {
    if (comment == null) {
      return Optional.empty();
    }
    int newline = comment.indexOf('\n');
    String line = newline < 0 ? comment : comment.substring(0, newline);
    Matcher m = MARKER.matcher(line);
    if (!m.matches()) {
      return Optional.empty();
    }
    if (m.group(1) != null) {
      if (newline >= 0) {
        return Optional.empty();
      }
      Optional<CleanStamp> clean = m.group(2) == null ? Optional.empty() : Optional.of(new CleanStamp(
          Instant.ofEpochSecond(Long.parseLong(m.group(2))), Long.parseLong(m.group(3))));
      return Optional.of(new Marker(Kind.CLONE, m.group(1), Optional.empty(), Optional.empty(), Optional.empty(),
          Optional.empty(), Optional.empty(), clean));
    }
    String hash = m.group(4);
    if (m.group(5) != null) {
      return newline < 0 ? Optional.of(new Marker(Kind.TEMPLATE_BUILDING, hash)) : Optional.empty();
    }
    if (m.group(6) != null) {
      if (newline >= 0) {
        return Optional.empty();
      }
      if (m.group(7) == null) {
        return Optional.of(new Marker(Kind.TEMPLATE_READY, hash));
      }
      Optional<TemplateFingerprint> fingerprint = m.group(9) == null ? Optional.empty()
          : Optional.of(new TemplateFingerprint(m.group(9), m.group(10)));
      Optional<Demand> demand = m.group(11) == null ? Optional.empty()
          : Optional.of(new Demand(Integer.parseInt(m.group(11)), Integer.parseInt(m.group(12))));
      return Optional.of(new Marker(Kind.TEMPLATE_READY, hash, Optional.of(m.group(7)),
          Optional.of(Instant.ofEpochSecond(Long.parseLong(m.group(8)))), Optional.empty(), fingerprint, demand,
          Optional.empty()));
    }
    // Failed: the error follows on the next lines (absent only if someone cut the comment).
    String error = newline < 0 ? "" : comment.substring(newline + 1);
    return Optional.of(new Marker(Kind.TEMPLATE_FAILED, hash, Optional.empty(),
        Optional.ofNullable(m.group(14)).map(at -> Instant.ofEpochSecond(Long.parseLong(at))), Optional.of(error)));
  }

  public enum Kind { TEMPLATE_BUILDING, TEMPLATE_READY, TEMPLATE_FAILED, CLONE }

  /**
   * A parsed marker.
   *
   * @param lineage what a ready template is for (see {@code TemplateLineage}); empty for other
   *     kinds and for ready markers of earlier versions
   * @param used when a ready template was last made ready or reused, when a failed one failed;
   *     empty when unknown
   * @param failure a failed template's error
   * @param fingerprint a ready template's contents, as its builder recorded them; empty for
   *     templates built without them (their clones are always recreated)
   * @param demand what the last run that used a ready template needed of its pool
   * @param clean for a clone: the stamp of a coordinator that left it ready when it closed
   */
  public record Marker(Kind kind, String hash, Optional<String> lineage, Optional<Instant> used,
      Optional<String> failure, Optional<TemplateFingerprint> fingerprint, Optional<Demand> demand,
      Optional<CleanStamp> clean) {
    public Marker(Kind kind, String hash) {
      this(kind, hash, Optional.empty(), Optional.empty(), Optional.empty());
    }

    public Marker(Kind kind, String hash, Optional<String> lineage, Optional<Instant> used, Optional<String> failure) {
      this(kind, hash, lineage, used, failure, Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** Whether this is the ready marker of the template of {@code expectedHash}. */
    public boolean isReadyTemplateOf(String expectedHash) {
      return kind == Kind.TEMPLATE_READY && hash.equals(expectedHash);
    }
  }

  /**
   * What a run needed of a template's pool, recorded in its ready marker by the coordinator for
   * the next run to start with enough clones.
   *
   * @param peak the most clones leased at once
   * @param perMinute clones used up (recreated) per minute while tests ran
   */
  public record Demand(int peak, int perMinute) {}

  /**
   * A coordinator's stamp on a clone it left ready when it closed.
   *
   * @param at when
   * @param sessions the clone's session count ({@code pg_stat_database.sessions}) then
   */
  public record CleanStamp(Instant at, long sessions) {}
}
