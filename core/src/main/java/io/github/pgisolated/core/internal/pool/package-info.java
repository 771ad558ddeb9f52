/**
 * The coordinator's side: one warm pool of clones per finished template, shared by every JVM
 * of the build, with the background work that creates clones and drops used ones. Not API: do
 * not use these classes, they may change in any release.
 */
package io.github.pgisolated.core.internal.pool;
