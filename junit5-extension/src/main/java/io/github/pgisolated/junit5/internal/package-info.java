/**
 * Internals of the JUnit extension. Not API: do not use these classes, they may change in any
 * release. Users need only {@link io.github.pgisolated.junit5.PgIsolated}.
 */
package io.github.pgisolated.junit5.internal;
