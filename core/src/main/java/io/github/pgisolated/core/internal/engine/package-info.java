/**
 * One JVM's pool: the {@code PgIsolatedPool} implementation
 * ({@link io.github.pgisolated.core.internal.engine.PoolEngine}), the leases it hands to tests,
 * who it leases clones from (this JVM's own coordinator pools or another JVM's, through the
 * socket), and the clones it keeps between tests. Not API: do not use these classes, they may
 * change in any release.
 */
package io.github.pgisolated.core.internal.engine;
