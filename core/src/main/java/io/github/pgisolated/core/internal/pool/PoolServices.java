package io.github.pgisolated.core.internal.pool;

import io.github.pgisolated.core.internal.db.DatabaseAdmin;
import io.github.pgisolated.core.internal.db.DatabaseClaims;
import io.github.pgisolated.core.internal.report.RunReport;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * What every pool of one coordinator shares: the SQL, the claims, the workers, the global cap, the
 * used clones to drop, the clone strategy, the run report and
 * what they found of the disk's space.
 *
 * @param description the server, for error messages
 * @param space whether the disk has room for more clones
 */
record PoolServices(DatabaseAdmin admin, DatabaseClaims claims, Executor workers, Capacity capacity, UsedClones used,
    CloneStrategies strategies, RunReport report, Supplier<String> description,
    SpaceShortage space) {}
