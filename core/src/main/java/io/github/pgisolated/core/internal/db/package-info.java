/**
 * The SQL pgisolated runs on the server: creating, cloning, dropping and marking databases
 * ({@link io.github.pgisolated.core.internal.db.DatabaseAdmin}), their names and ownership markers
 * ({@link io.github.pgisolated.core.internal.db.DatabaseNames}), and the advisory-lock claims that
 * keep two pools from ever touching one database
 * ({@link io.github.pgisolated.core.internal.db.DatabaseClaims}). Not API: do not use these
 * classes, they may change in any release.
 */
package io.github.pgisolated.core.internal.db;
