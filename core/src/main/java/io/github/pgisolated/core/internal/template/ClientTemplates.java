package io.github.pgisolated.core.internal.template;

import io.github.pgisolated.core.PgIsolatedConfig;
import io.github.pgisolated.core.TemplateBuildException;
import io.github.pgisolated.core.UnableToLeaseDatabaseException;
import io.github.pgisolated.core.internal.db.DataSources;
import io.github.pgisolated.core.internal.db.DatabaseAdmin;
import io.github.pgisolated.core.internal.db.DatabaseClaims;
import io.github.pgisolated.core.internal.db.DatabaseNames.Kind;
import io.github.pgisolated.core.internal.db.DatabaseNames.Marker;
import io.github.pgisolated.core.internal.db.DatabaseNames;
import io.github.pgisolated.core.internal.server.ServerEndpoint;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Templates built by a <em>client</em> in another process (IntegreSQL's model, served by
 * pgisolated-cli): this process creates the empty template database and hands it to the client,
 * the client fills it (its migrations, in any language), and this process then finishes it.
 *
 * <p>The same rules as a JVM-built template ({@link TemplateBuilder}), so that every JVM, every
 * collector and every coordinator treats both alike:
 * <pre>
 *   {@link #begin}: claimed (on this object's own session), created empty, marked "building"
 *   {@link #finish}: no connections, marked "ready" (last), claim released, used (shared) from now on
 *   {@link #fail}: no connections, marked "failed" with the error, claim released
 *   this process dies while the client builds: the claim dies with its session, the template
 *       stays "building" and unclaimed, which everyone drops as half-built
 * </pre>
 *
 * <p>A ready template found by {@link #begin} (built by an earlier run, or by anyone) is reused:
 * hashes identify contents. A failed or half-built one is dropped and created again. A database
 * with the template's name but without pgisolated's marker is never touched.
 *
 * <p>Lineage: all the templates of one {@code purpose} (say, every template made over the
 * IntegreSQL API) share one lineage, so that the collector keeps the newest
 * {@code pgisolated.template.keep} of them that nobody uses and drops the older ones.
 *
 * <p>Thread-safe: every method is synchronized; each does a few quick statements.
 */
public final class ClientTemplates implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClientTemplates.class);

  /** What {@link #begin} found or did. */
  public enum Begun {
    /** Created empty and claimed: the client fills it, then {@link #finish} or {@link #fail}. */
    CREATED,
    /** Already ready (and now used by this process): nothing for the client to do. */
    ALREADY_READY,
    /** Someone else holds its claim (another process builds or collects it): ask again later. */
    BUSY
  }

  private final ServerEndpoint server;
  private final DatabaseAdmin admin;
  private final DatabaseClaims claims;
  private final TemplateUses uses;
  private final TemplateCollector collector;
  private final Clock clock;
  private final String lineage;
  private final Set<String> building = new HashSet<>();
  private boolean closed;

  ClientTemplates(ServerEndpoint server, DatabaseAdmin admin, DatabaseClaims claims, TemplateUses uses,
      TemplateCollector collector, Clock clock, String lineage) {
    this.server = server;
    this.admin = admin;
    this.claims = claims;
    this.uses = uses;
    this.collector = collector;
    this.clock = clock;
    this.lineage = lineage;
  }

  /**
   * Client-built templates on {@code server}, with sessions of their own for claims, uses and
   * collections.
   *
   * @param purpose names the lineage of these templates, e.g. {@code "integresql"}
   */
  public static ClientTemplates create(ServerEndpoint server, DatabaseAdmin admin, PgIsolatedConfig config,
      String purpose) {
    Supplier<Connection> sessions = () -> {
      try {
        return DataSources.connect(server, server.maintenanceDatabase());
      } catch (SQLException e) {
        throw new UnableToLeaseDatabaseException("Could not open a pgisolated session on " + server + ": " + e, e);
      }
    };
    Clock clock = Clock.systemUTC();
    return new ClientTemplates(server, admin, new DatabaseClaims(sessions), new TemplateUses(sessions),
        new TemplateCollector(admin, sessions, config.templateKeep(), config.templateMaxAge(), clock), clock,
        lineageOf(purpose));
  }

  /** The lineage of every client template of one purpose: 16 lower-case hex characters. */
  static String lineageOf(String purpose) {
    MessageDigest digest = Digests.sha256();
    Digests.update(digest, "pgisolated-lineage:" + TemplateLineage.FORMAT_VERSION);
    Digests.update(digest, "client:" + purpose);
    return HexFormat.of().formatHex(digest.digest(), 0, 8);
  }

  /**
   * Starts a client's build of the template of {@code hash} (16 hex): see {@link Begun}.
   *
   * @throws TemplateBuildException when a database of that name exists but is not pgisolated's
   */
  public synchronized Begun begin(String hash) throws SQLException {
    throwIfClosed();
    String name = DatabaseNames.template(hash);
    if (building.contains(hash)) {
      return Begun.BUSY;
    }
    if (shareIfReady(name, hash)) {
      return Begun.ALREADY_READY;
    }
    if (!claims.tryClaim(name)) {
      return Begun.BUSY;
    }
    Begun begun = Begun.BUSY;
    try {
      begun = createUnderClaim(name, hash);
      return begun;
    } finally {
      if (begun != Begun.CREATED) {
        claims.release(name);
      }
    }
  }

  /** Under the claim: CREATED, or BUSY when someone finished it meanwhile (the next begin reuses it). */
  private Begun createUnderClaim(String name, String hash) throws SQLException {
    Optional<String> comment = admin.commentOf(name);
    if (comment.isPresent()) {
      Optional<Marker> marker = DatabaseNames.parse(comment.get());
      if (marker.isPresent() && marker.get().isReadyTemplateOf(hash)) {
        // Finished by someone between the share and the claim: the caller asks again.
        return Begun.BUSY;
      }
      if (marker.isEmpty() || !marker.get().hash().equals(hash) || marker.get().kind() == Kind.CLONE) {
        throw new TemplateBuildException("Database " + name + " exists on " + server
            + " but is not marked as a pgisolated template (its comment is '" + comment.get()
            + "'). pgisolated never touches databases it did not create: drop or rename it.");
      }
      LOG.info("Template {} was {}; dropping it so that a client can build it again", name,
          marker.get().kind() == Kind.TEMPLATE_FAILED ? "marked failed" : "left half-built");
      admin.drop(name);
    }
    admin.createEmpty(name, DatabaseNames.buildingMarker(hash));
    building.add(hash);
    return Begun.CREATED;
  }

  /**
   * The client finished filling the template: it becomes ready (its sessions are terminated
   * first, as for a JVM-built template) and is used by this process from now on.
   *
   * @throws IllegalStateException when this process is not building it
   */
  public synchronized void finish(String hash) throws SQLException {
    String name = DatabaseNames.template(hash);
    throwIfNotBuilding(hash);
    try {
      admin.finishTemplate(name, DatabaseNames.readyMarker(hash, lineage, clock.instant()));
    } catch (SQLException e) {
      failUnderClaim(hash, "Could not finish the template: " + e.getMessage());
      throw e;
    }
    building.remove(hash);
    claims.release(name);
    // Between the release and the share only a collector could take it, and it never takes the
    // newest template of a lineage nor one whose marker changed while it looked.
    if (!shareIfReady(name, hash)) {
      throw new SQLException("Template " + name + " was taken by another pgisolated process right after it was "
          + "finished; build it again");
    }
    collector.afterReady(hash, lineage);
  }

  /** The client's build failed or was abandoned: the template is kept, marked failed with the error. */
  public synchronized void fail(String hash, String error) throws SQLException {
    throwIfNotBuilding(hash);
    failUnderClaim(hash, error);
  }

  private void failUnderClaim(String hash, String error) throws SQLException {
    String name = DatabaseNames.template(hash);
    building.remove(hash);
    try {
      admin.markFailed(name, DatabaseNames.failedMarker(hash, clock.instant(), error));
    } finally {
      claims.release(name);
    }
  }

  /**
   * Discards the template of {@code hash}, whatever its state, if it is pgisolated's and nobody
   * else uses it: dropped when it has no clones; otherwise marked failed (never cloned for a lease
   * again, dropped with its clones by a collection once the coordinator that holds them lets them
   * go). The coordinator's pool may still recreate the clones it holds from it, which is why it is
   * not dropped under them.
   *
   * @return false when there was no such template
   * @throws SQLException when someone else holds it (builds, uses or collects it)
   */
  public synchronized boolean discard(String hash) throws SQLException {
    String name = DatabaseNames.template(hash);
    if (building.remove(hash)) {
      try {
        admin.drop(name);
      } finally {
        claims.release(name);
      }
      return true;
    }
    uses.release(name);
    if (!claims.tryClaim(name)) {
      throw new SQLException("Template " + name + " is in use by another pgisolated process (a JVM's tests, or a "
          + "collection); it was not discarded");
    }
    try {
      Optional<Marker> marker = admin.commentOf(name).flatMap(DatabaseNames::parse);
      if (marker.isEmpty() || !marker.get().hash().equals(hash) || marker.get().kind() == Kind.CLONE) {
        return false;
      }
      boolean hasClones = admin.databasesLike(DatabaseNames.likePattern(hash)).keySet().stream()
          .anyMatch(db -> DatabaseNames.hashOfCloneName(db).isPresent());
      if (hasClones) {
        admin.markFailed(name, DatabaseNames.failedMarker(hash, clock.instant(), "Discarded by its client."));
      } else {
        admin.dropTemplate(name);
      }
      return true;
    } finally {
      claims.release(name);
    }
  }

  /**
   * Uses the template of {@code hash} from now on if it is ready on the server (built by an
   * earlier run or another process); false if it is not.
   */
  public synchronized boolean useIfReady(String hash) throws SQLException {
    throwIfClosed();
    return shareIfReady(DatabaseNames.template(hash), hash);
  }

  /** The template's marker, if the database exists and is pgisolated's. */
  public Optional<Marker> marker(String hash) throws SQLException {
    return admin.commentOf(DatabaseNames.template(hash)).flatMap(DatabaseNames::parse);
  }

  /** Shares a ready template (keeping the share) if it is ready; false otherwise. */
  private boolean shareIfReady(String name, String hash) throws SQLException {
    if (!uses.tryShare(name)) {
      return false;
    }
    if (admin.commentOf(name).flatMap(DatabaseNames::parse).filter(m -> m.isReadyTemplateOf(hash)).isPresent()) {
      return true;
    }
    uses.release(name);
    return false;
  }

  private void throwIfNotBuilding(String hash) {
    if (!building.contains(hash)) {
      throw new IllegalStateException("Template " + DatabaseNames.template(hash) + " is not being built by this process");
    }
  }

  private void throwIfClosed() {
    if (closed) {
      throw new UnableToLeaseDatabaseException("pgisolated's client templates are closed.");
    }
  }

  /**
   * Marks the templates still being built as failed (their clients never finished), stops
   * collecting and gives up this process's uses and claims.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (String hash : Set.copyOf(building)) {
      try {
        failUnderClaim(hash, "The pgisolated process that created it stopped before its client finalized it.");
      } catch (SQLException e) {
        LOG.debug("Could not mark {} failed; it stays half-built and is dropped later", hash, e);
      }
    }
    collector.close();
    uses.close();
    claims.close();
  }
}
