/**
 * The {@code pgisolated} command ({@link io.github.pgisolated.cli.PgIsolatedCli}): IntegreSQL's REST
 * API and pgmanager's socket protocol on pgisolated's pool, for test suites in any language. Its only
 * API is the command line; everything else is in {@code io.github.pgisolated.cli.internal}.
 */
package io.github.pgisolated.cli;
