package io.github.pgisolated.core.internal.engine;

import io.github.pgisolated.core.internal.db.DatabaseNames;
import io.github.pgisolated.core.internal.db.TemplateFingerprint;
import io.github.pgisolated.core.internal.reset.InPlaceReset;
import io.github.pgisolated.core.internal.reset.TemplateSnapshot;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether and how this JVM resets the clones of one template in place: the template's snapshot,
 * taken from the first clone this JVM gets once that clone proves to be in the template's state
 * (its fingerprint is the one the template's builder recorded), or the reason it can't.
 *
 * <p>Thread-safe: the snapshot is taken once, under this object's lock, by the first thread that
 * needs it; the others wait for it.
 */
final class TemplateResets {
  private static final Logger LOG = LoggerFactory.getLogger(TemplateResets.class);

  private final String hash;
  private final Optional<TemplateFingerprint> fingerprint;
  private final boolean verify;
  private volatile InPlaceReset reset;
  private volatile String unavailable;

  /**
   * @param unavailable why this JVM never resets in place (the server, the configuration), if so
   */
  TemplateResets(String hash, Optional<TemplateFingerprint> fingerprint, boolean verify, Optional<String> unavailable) {
    this.hash = hash;
    this.fingerprint = fingerprint;
    this.verify = verify;
    this.unavailable = unavailable.orElse(fingerprint.isPresent() ? null
        : "template " + DatabaseNames.template(hash) + " has no recorded fingerprint (its contents could not be read "
            + "when it was built)");
  }

  /** A clone whose contents are not its template's (someone changed it and gave it back as unchanged). */
  static final class NotInTemplateState extends Exception {
    private static final long serialVersionUID = 1L;

    NotInTemplateState(String message) {
      super(message);
    }
  }

  /**
   * The reset of this template, taking the snapshot from the clone {@code connection} is on if
   * this is the first clone; null when resets in place are not possible (see {@link #unavailable}).
   *
   * @throws NotInTemplateState when the first clone's fingerprint is not the template's; the
   *     caller gives it back to be recreated and tries another
   */
  InPlaceReset forClone(Connection connection) throws SQLException, NotInTemplateState {
    InPlaceReset known = reset;
    if (known != null || unavailable != null) {
      return known;
    }
    synchronized (this) {
      if (reset != null || unavailable != null) {
        return reset;
      }
      long start = System.nanoTime();
      TemplateSnapshot snapshot = TemplateSnapshot.take(connection);
      if (!snapshot.fingerprint().equals(fingerprint.get())) {
        throw new NotInTemplateState(connection.getCatalog() + " is not in the state of template "
            + DatabaseNames.template(hash) + " (its fingerprint is " + snapshot.fingerprint() + ", the template's "
            + fingerprint.get() + "): somebody changed it and gave it back as unchanged");
      }
      if (snapshot.notResettable().isPresent()) {
        unavailable = snapshot.notResettable().get();
        LOG.info("Clones of template {} are recreated after every test, never reset in place: {}",
            DatabaseNames.template(hash), unavailable);
        return null;
      }
      reset = new InPlaceReset(snapshot, verify);
      LOG.debug("Snapshot of template {} for resets in place: {} rows, {} KB, taken in {} ms",
          DatabaseNames.template(hash), snapshot.rows(), snapshot.bytes() / 1024,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      return reset;
    }
  }

  /** The reset of this template once its snapshot is taken, else null. */
  InPlaceReset current() {
    return reset;
  }

  /** Why clones of this template are not reset in place, or null while that is not known or they are. */
  String unavailable() {
    return unavailable;
  }
}
