/**
 * The implementation of the {@code pgisolated} command. Not API: these classes may change in any
 * release. Users run the command ({@link io.github.pgisolated.cli.PgIsolatedCli}).
 */
package io.github.pgisolated.cli.internal;
