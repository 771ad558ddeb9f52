package io.github.pgisolated.core.internal.pool;

import io.github.pgisolated.core.internal.db.DatabaseAdmin;
import io.github.pgisolated.core.internal.db.DatabaseNames;
import io.github.pgisolated.core.internal.db.DatabaseNames.CleanStamp;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool that outlives the run: a coordinator that closes stamps its ready clones clean, with
 * their session count ({@code pg_stat_database.sessions}) and the time; the next coordinator adopts
 * a stamped clone as ready, without recreating it, when nothing can have touched it since: nobody
 * connected to it (the same session count), the server has not restarted (its statistics, session
 * counts among them, are reset by a crash), nobody holds it and nobody is on it. Otherwise it is
 * an orphan like any other, and is dropped. The stamp is taken off before the clone is leased, so a
 * clone with a stamp is never in a test's hands.
 *
 * <p>Needs PostgreSQL 14 or later (session counts); on older servers nothing is stamped.
 */
final class CleanStamps {
  private static final Logger LOG = LoggerFactory.getLogger(CleanStamps.class);

  private final DatabaseAdmin admin;
  private final DataSource adminPool;
  private final Clock clock;

  CleanStamps(DatabaseAdmin admin, DataSource adminPool, Clock clock) {
    this.admin = admin;
    this.adminPool = adminPool;
    this.clock = clock;
  }

  /** Stamps the ready clones of a template clean; the caller holds their claims. */
  void stamp(String hash, List<String> readyClones) {
    if (admin.majorVersion() < 14 || readyClones.isEmpty()) {
      return;
    }
    Instant now = clock.instant();
    for (String clone : readyClones) {
      try {
        admin.comment(clone, DatabaseNames.cleanCloneMarker(hash, now, sessions(clone)));
      } catch (SQLException e) {
        LOG.debug("Could not stamp {} clean; the next run drops it and makes another", clone, e);
      }
    }
  }

  /**
   * Whether a stamped clone is still in the state it was stamped in: same session count, no
   * restart since, nobody on it now. The caller claimed it and checked that nobody holds it.
   */
  boolean stillClean(String clone, CleanStamp stamp) {
    if (admin.majorVersion() < 14) {
      return false;
    }
    try (Connection c = adminPool.getConnection();
        PreparedStatement ps = c.prepareStatement("select coalesce((select d.sessions from pg_stat_database d"
            + " where d.datname = ?), -1), pg_postmaster_start_time() < to_timestamp(?),"
            + " (select count(*) from pg_stat_activity a where a.datname = ?)")) {
      ps.setString(1, clone);
      ps.setLong(2, stamp.at().getEpochSecond());
      ps.setString(3, clone);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1) == stamp.sessions() && rs.getBoolean(2) && rs.getLong(3) == 0;
      }
    } catch (SQLException e) {
      LOG.debug("Could not check the clean stamp of {}", clone, e);
      return false;
    }
  }

  /** Takes the stamp off a clone adopted as ready, before anyone leases it. */
  void unstamp(String hash, String clone) throws SQLException {
    admin.comment(clone, DatabaseNames.cloneMarker(hash));
  }

  private long sessions(String clone) throws SQLException {
    try (Connection c = adminPool.getConnection();
        PreparedStatement ps = c.prepareStatement("select coalesce((select sessions from pg_stat_database"
            + " where datname = ?), 0)")) {
      ps.setString(1, clone);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
