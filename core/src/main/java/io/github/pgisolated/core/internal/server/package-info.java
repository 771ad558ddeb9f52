/**
 * Where PostgreSQL comes from: the server abstraction and the external and Testcontainers
 * servers (the embedded one lives in {@code internal.embedded}). Not API: do not use these
 * classes, they may change in any release.
 */
package io.github.pgisolated.core.internal.server;
