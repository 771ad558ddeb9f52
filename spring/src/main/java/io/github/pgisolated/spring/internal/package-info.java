/**
 * Internals of the Spring integration. Not API: do not use these classes, they may change in any
 * release. Users need only {@link io.github.pgisolated.junit5.PgIsolated} and, at most,
 * {@link io.github.pgisolated.spring.PgIsolatedDataSource}.
 */
package io.github.pgisolated.spring.internal;
