/**
 * The JUnit Jupiter extension: {@link io.github.pgisolated.junit5.PgIsolated} gives every test
 * method a PostgreSQL database of its own.
 */
package io.github.pgisolated.junit5;
