package io.github.pgisolated.cli;

import io.github.pgisolated.cli.internal.Cli;

/**
 * The {@code pgisolated} command: one pool of PostgreSQL test databases for every language on the
 * machine, serving IntegreSQL's REST API and pgmanager's socket protocol from the same pool (and
 * the same elected coordinator) as the JVM tests that use pgisolated-junit5.
 *
 * <p>For <em>users</em>, from a shell (the jar is {@code cli/target/pgisolated-cli.jar}, the
 * launcher script {@code cli/pgisolated}):
 *
 * <pre>{@code
 * pgisolated serve                      # IntegreSQL's API on http://127.0.0.1:5000/api/v1
 * pgisolated wrap -- go test ./...      # the same, for the duration of one command
 * PGM_DATABASE_PREFIX=app_test_ pgisolated wrap-each -x -- psql -c 'select 1'
 * pgisolated status
 * }</pre>
 *
 * <p>{@code pgisolated --help} lists every command, option and environment variable.
 *
 * @since 0.1.0
 */
public final class PgIsolatedCli {
  private PgIsolatedCli() {}

  /** Runs the command line and exits with its exit code. */
  public static void main(String[] args) {
    int code = Cli.run(args, System.getenv(), System.out, System.err);
    System.out.flush();
    System.exit(code);
  }
}
