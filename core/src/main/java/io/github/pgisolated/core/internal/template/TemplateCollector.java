package io.github.pgisolated.core.internal.template;

import io.github.pgisolated.core.internal.db.DatabaseAdmin;
import io.github.pgisolated.core.internal.db.DatabaseClaims;
import io.github.pgisolated.core.internal.db.DatabaseNames.Kind;
import io.github.pgisolated.core.internal.db.DatabaseNames.Marker;
import io.github.pgisolated.core.internal.db.DatabaseNames;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops the templates nobody needs any more, with their clones, so that a server shared for months
 * does not fill its disk with every version of every schema (IntegreSQL's issue #4).
 *
 * <p>A collection runs after a template is ready in this JVM (built or reused), once per JVM per
 * {@link TemplateLineage lineage}, on a daemon thread of its own: it never delays a lease. It
 * drops, among the databases whose marker is pgisolated's (see {@link DatabaseNames}):
 *
 * <ul>
 *   <li>the ready templates of the same lineage beyond the newest {@code keep} (by last use);</li>
 *   <li>ready templates of any lineage not used for {@code maxAge}, unless {@code maxAge} is zero
 *       (the bare ready markers of earlier versions tell no last use: those are left alone);</li>
 *   <li>failed templates of any lineage a minute after they failed ({@link #FAILED_GRACE}: by then
 *       the JVMs that waited for the build have read the error), and half-built ones whose builder
 *       died (a live builder holds the claim);</li>
 *   <li>marked clones whose template is gone (no database of its name: one whose marker this version
 *       cannot read, a newer version's, keeps its clones);</li>
 * </ul>
 *
 * <p>and never the template that triggered the collection, nor one that anybody uses: it first
 * takes the template's claim and every clone's claim itself (a JVM that uses a template shares its
 * claim key, see {@link TemplateUses}; a coordinator claims its clones; a builder claims what it
 * builds), then checks that no clone has a holder lock (a running test) or a session, and that the
 * template's marker did not change meanwhile (a JVM just reused it). Anything it cannot claim is
 * skipped, to be collected some later time; so is anything this role may not drop (another role's
 * build's, on a shared server: its own collector, or a superuser's, drops it). Clones are dropped first, then the template (no longer
 * flagged a template); the claims are released when the collection ends.
 *
 * <p>Thread-safe; collections run one at a time.
 */
final class TemplateCollector implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TemplateCollector.class);
  static final Duration FAILED_GRACE = Duration.ofMinutes(1);

  private final DatabaseAdmin admin;
  private final Supplier<Connection> sessions;
  private final int keep;
  private final Duration maxAge;
  private final Clock clock;
  private final Set<String> collectedLineages = ConcurrentHashMap.newKeySet();
  private final ThreadPoolExecutor thread;
  private volatile boolean closed;

  /**
   * @param sessions opens a session of the collector's own (its claims must not be this JVM's pools' ones)
   * @param keep how many ready templates of a lineage to keep, at least 1
   * @param maxAge how long an unused template is kept; zero: forever
   */
  TemplateCollector(DatabaseAdmin admin, Supplier<Connection> sessions, int keep, Duration maxAge, Clock clock) {
    if (keep < 1) {
      throw new IllegalArgumentException("keep must be at least 1: " + keep);
    }
    this.admin = admin;
    this.sessions = sessions;
    this.keep = keep;
    this.maxAge = maxAge;
    this.clock = clock;
    this.thread = new ThreadPoolExecutor(0, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "pgisolated-collector");
      t.setDaemon(true);
      return t;
    });
  }

  /** What one collection dropped. */
  record Collected(List<String> databases, long bytesFreed, long millis) {}

  /**
   * The template of {@code hash} is ready in this JVM: collects its lineage in the background,
   * the first time this JVM sees that lineage. Returns at once.
   */
  void afterReady(String hash, String lineage) {
    if (closed || !collectedLineages.add(lineage)) {
      return;
    }
    try {
      thread.execute(() -> {
        try {
          collect(hash, lineage);
        } catch (SQLException | RuntimeException e) {
          if (!closed) {
            LOG.warn("Could not collect old templates (after {} was ready); they are left for a later collection",
                DatabaseNames.template(hash), e);
          }
        }
      });
    } catch (RejectedExecutionException closing) {
      // The pool is closing.
    }
  }

  /** One collection, on the caller's thread; {@code currentHash} is never dropped. */
  synchronized Collected collect(String currentHash, String lineage) throws SQLException {
    Instant now = clock.instant();
    return collect(DatabaseNames.template(currentHash),
        (templates, cloned) -> chooseVictims(currentHash, lineage, now, templates, cloned));
  }

  /**
   * The disk is full: drops every template nobody uses, oldest use first, whatever its lineage
   * and age, except those of {@code keep} ({@link SpaceVictims}), on the caller's thread. What is
   * in use is skipped as always.
   */
  synchronized Collected collectForSpace(Set<String> keep) throws SQLException {
    Instant now = clock.instant();
    return collect("a full disk", (templates, cloned) -> SpaceVictims.choose(keep, now, templates, cloned));
  }

  /** Template hash to why it may go, in the order to try them, from the templates and cloned hashes found. */
  private interface Victims {
    Map<String, String> choose(Map<String, Marker> templates, Set<String> clonedHashes);
  }

  private Collected collect(String trigger, Victims victims) throws SQLException {
    long start = System.nanoTime();
    Map<String, Marker> templates = new TreeMap<>();
    Map<String, List<String>> clones = new TreeMap<>();
    Map<String, String> databases = admin.databasesLike(DatabaseNames.likeAnyPattern());
    for (Map.Entry<String, String> database : databases.entrySet()) {
      Optional<Marker> marker = DatabaseNames.parse(database.getValue());
      if (marker.isEmpty()) {
        continue; // not pgisolated's: never touched
      }
      String hash = marker.get().hash();
      if (marker.get().kind() == Kind.CLONE) {
        if (DatabaseNames.hashOfCloneName(database.getKey()).filter(hash::equals).isPresent()) {
          clones.computeIfAbsent(hash, h -> new ArrayList<>()).add(database.getKey());
        }
      } else if (DatabaseNames.hashOfTemplateName(database.getKey()).filter(hash::equals).isPresent()) {
        templates.put(hash, marker.get());
      }
    }
    Map<String, String> reasons = new LinkedHashMap<>(victims.choose(templates, clones.keySet()));
    // A template is gone only when no database of its name is left: one whose marker this version
    // cannot read is a newer version's template, and its clones are that version's pool.
    reasons.keySet().removeIf(hash -> !templates.containsKey(hash) && databases.containsKey(DatabaseNames.template(hash)));
    leaveOtherRolesAlone(reasons, templates, clones);
    List<String> dropped = new ArrayList<>();
    List<String> described = new ArrayList<>();
    long bytes = 0;
    if (!reasons.isEmpty()) {
      try (DatabaseClaims claims = new DatabaseClaims(sessions); Connection session = sessions.get()) {
        for (Map.Entry<String, String> victim : reasons.entrySet()) {
          if (closed) {
            break;
          }
          String hash = victim.getKey();
          String template = templates.containsKey(hash) ? DatabaseNames.template(hash) : null;
          List<String> itsClones = clones.getOrDefault(hash, List.of());
          long freed = dropIfUnused(claims, session, template, itsClones);
          if (freed >= 0) {
            bytes += freed;
            dropped.addAll(itsClones);
            if (template != null) {
              dropped.add(template);
            }
            described.add((template != null ? template : "clones of " + hash) + " (" + victim.getValue()
                + (itsClones.isEmpty() ? "" : ", " + itsClones.size() + " clone(s)") + ")");
          }
        }
      }
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    if (!described.isEmpty()) {
      long templatesDropped = dropped.stream().filter(d -> DatabaseNames.hashOfTemplateName(d).isPresent()).count();
      LOG.info("Dropped {} old template(s) and {} clone(s) in {} ms, {} MB freed: {}", templatesDropped,
          dropped.size() - templatesDropped, millis, (bytes + (1 << 19)) >> 20, String.join("; ", described));
    } else {
      LOG.debug("Nothing to collect after {} ({} candidate(s) in use), {} ms", trigger, reasons.size(), millis);
    }
    return new Collected(dropped, bytes, millis);
  }

  /** Template hash to why it may go, in the order to try them. */
  private Map<String, String> chooseVictims(String currentHash, String lineage, Instant now,
      Map<String, Marker> templates, Set<String> clonedHashes) {
    Map<String, String> reasons = new LinkedHashMap<>();
    List<Marker> ofLineage = templates.values().stream()
        .filter(m -> m.kind() == Kind.TEMPLATE_READY && m.lineage().filter(lineage::equals).isPresent())
        .sorted(Comparator.comparing((Marker m) -> m.used().orElse(Instant.EPOCH)).reversed()
            .thenComparing(Marker::hash))
        .toList();
    for (Marker old : ofLineage.subList(Math.min(keep, ofLineage.size()), ofLineage.size())) {
      if (!old.hash().equals(currentHash)) {
        reasons.put(old.hash(), "older than the newest " + keep + " of its lineage");
      }
    }
    for (Marker m : templates.values()) {
      if (m.hash().equals(currentHash) || reasons.containsKey(m.hash())) {
        continue;
      }
      Optional<Duration> idle = m.used().map(used -> Duration.between(used, now));
      if (m.kind() == Kind.TEMPLATE_READY && !maxAge.isZero() && idle.filter(i -> i.compareTo(maxAge) > 0).isPresent()) {
        reasons.put(m.hash(), "unused for " + describe(idle.get()));
      } else if (m.kind() == Kind.TEMPLATE_FAILED && idle.map(i -> i.compareTo(FAILED_GRACE) > 0).orElse(true)) {
        reasons.put(m.hash(), "failed");
      } else if (m.kind() == Kind.TEMPLATE_BUILDING) {
        reasons.put(m.hash(), "left half-built");
      }
    }
    for (String hash : clonedHashes) {
      if (!templates.containsKey(hash) && !hash.equals(currentHash)) {
        reasons.put(hash, "template gone");
      }
    }
    return reasons;
  }

  /**
   * Takes out of the victims every hash with a database this role may not drop: on a server that
   * builds of several roles share, those are another build's, and only its owner (or a superuser)
   * may drop them. They are named, once per collection, so that an operator knows why they stay.
   */
  private void leaveOtherRolesAlone(Map<String, String> reasons, Map<String, Marker> templates,
      Map<String, List<String>> clones) throws SQLException {
    if (reasons.isEmpty()) {
      return;
    }
    Set<String> droppable = admin.droppableLike(DatabaseNames.likeAnyPattern());
    List<String> leftAlone = new ArrayList<>();
    reasons.keySet().removeIf(hash -> {
      List<String> all = new ArrayList<>(clones.getOrDefault(hash, List.of()));
      if (templates.containsKey(hash)) {
        all.add(DatabaseNames.template(hash));
      }
      boolean others = !droppable.containsAll(all);
      if (others) {
        leftAlone.add(templates.containsKey(hash) ? DatabaseNames.template(hash) : "clones of " + hash);
      }
      return others;
    });
    if (!leftAlone.isEmpty()) {
      LOG.info("Not collecting {} old template(s) owned by other roles (only their owner or a superuser may drop "
          + "them; a collector running as that role or as a superuser will): {}", leftAlone.size(),
          String.join(", ", leftAlone));
    }
  }

  /**
   * Drops a template and its clones if this collector can claim them all and nobody holds or uses
   * them; the bytes freed, or -1 when they were left alone.
   */
  private long dropIfUnused(DatabaseClaims claims, Connection session, String template, List<String> itsClones)
      throws SQLException {
    List<String> all = new ArrayList<>(itsClones);
    String markerBefore = null;
    if (template != null) {
      all.add(template);
      markerBefore = admin.commentOf(template).orElse(null);
    }
    List<String> claimed = new ArrayList<>();
    try {
      for (String database : all) {
        if (!claims.tryClaim(database)) {
          LOG.debug("Not collecting {}: {} is claimed (in use)", template, database);
          return -1;
        }
        claimed.add(database);
      }
      if (template != null && (markerBefore == null || !admin.commentOf(template).orElse("").equals(markerBefore))) {
        return -1; // reused or rebuilt since it was listed
      }
      if (template == null && itsClones.stream().noneMatch(this::stillAClone)) {
        return -1; // another collector was quicker
      }
      if (!claims.heldByAnyone(all, session).isEmpty()) {
        return -1;
      }
      for (String database : all) {
        if (admin.sessionsOn(database) > 0) {
          LOG.debug("Not collecting {}: {} has sessions", template, database);
          return -1;
        }
      }
      long bytes = 0;
      for (String database : all) {
        bytes += admin.sizeOf(database);
      }
      for (String clone : itsClones) {
        admin.drop(clone);
      }
      if (template != null) {
        admin.dropTemplate(template);
      }
      return bytes;
    } catch (SQLException e) {
      LOG.warn("Could not collect {}; left for a later collection", template != null ? template : itsClones, e);
      return -1;
    } finally {
      for (String database : claimed) {
        claims.release(database);
      }
    }
  }

  private boolean stillAClone(String name) {
    try {
      return admin.commentOf(name).flatMap(DatabaseNames::parse).filter(m -> m.kind() == Kind.CLONE).isPresent();
    } catch (SQLException e) {
      return false;
    }
  }

  private static String describe(Duration idle) {
    return idle.toDays() > 0 ? idle.toDays() + " days" : idle.toHours() > 0 ? idle.toHours() + " hours"
        : idle.toMinutes() + " minutes";
  }

  /** Stops collecting: a collection under way stops after the template it is dropping. */
  @Override
  public void close() {
    closed = true;
    thread.shutdown();
    try {
      if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
        thread.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      thread.shutdownNow();
    }
  }
}
