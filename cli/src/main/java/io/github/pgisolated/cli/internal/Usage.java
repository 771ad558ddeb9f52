package io.github.pgisolated.cli.internal;

/** The text of {@code pgisolated --help}. */
final class Usage {
  private Usage() {}

  static final String TEXT = """
      pgisolated: one pool of PostgreSQL test databases for every language on this machine.
      Serves IntegreSQL's REST API v1 and pgmanager's socket protocol from the same pool the JVM
      tests (pgisolated-junit5) use: one coordinator, one template per content hash, clean clones.

      Usage:
        pgisolated serve [--port N] [--address ADDR] [--pgmanager-socket [PATH]] [--template PATH]... [--print-env]
        pgisolated wrap [--port N] [--pgmanager-socket PATH] [--template PATH]... -- CMD [ARGS...]
        pgisolated wrap-each [-i] [-x] [-j N] [--template PATH]... -- CMD [ARGS...]
        pgisolated status
        pgisolated clean [--force]
        pgisolated --help

      Commands:
        serve      Join (or start) the pool and serve until SIGINT/SIGTERM: IntegreSQL's API on
                   http://ADDR:PORT/api/v1 (default 127.0.0.1:5000), and pgmanager's protocol on
                   the socket when --pgmanager-socket, PGM_SOCKET or PGM_DATABASE_PREFIX is given.
        wrap       Serve both (the API on a free port), run CMD with INTEGRESQL_CLIENT_BASE_URL
                   (http://HOST:PORT/api, for Go and Python clients), INTEGRESQL_URL (http://HOST:PORT,
                   for Node's), PGMANAGER_SOCKET, PGM_SOCKET, PGHOST, PGPORT, PGUSER and PGPASSWORD
                   set, and exit with CMD's exit code (1 if a signal ended it).
        wrap-each  Run CMD once per pgmanager database, with PGDATABASE, PGM_DATABASE_SHARD and
                   PGHOST/PGPORT/PGUSER/PGPASSWORD set. Stops at the first failure (its exit code).
        status     Show the server, the coordinator's pools and leases, templates and disk used.
        clean      Drop every database pgisolated created on the server (nothing else) and stop the
                   embedded server. Leaves databases in use alone unless --force.

      Options:
        --port N                    IntegreSQL API port (INTEGRESQL_PORT; serve 5000, wrap a free one)
        --address ADDR              listen address (INTEGRESQL_ADDRESS, default 127.0.0.1; empty: all)
        --no-http                   do not serve the IntegreSQL API
        -s, --pgmanager-socket PATH pgmanager socket (PGM_SOCKET, default tmp/pgmanager.sock; a relative
                                    path is joined to the working directory)
        --template PATH             the pgmanager databases' template: an SQL file or a directory of
                                    migrations (*.sql in version order); repeatable; none: empty
        --lease-ttl DURATION        recreate a test database its client never gave back after this long (10m)
        --template-init-timeout D   mark a template failed when its client never finalizes it (10m)
        --print-env                 serve: print the client variables as shell exports on stdout
        -i, --ignore-exit-code      wrap-each: run every command, exit 0
        -x, --xarg                  wrap-each: append the database name as the last argument
        -j, --jobs N                wrap-each: run N commands at once (default 1)
        --force                     clean: drop databases in use too
        -v, --verbose               debug logging (stderr)
        -h, --help                  this text

      Environment: INTEGRESQL_ADDRESS, INTEGRESQL_PORT, INTEGRESQL_TEMPLATE_FINALIZE_TIMEOUT_MS (60000),
        INTEGRESQL_TEST_DB_GET_TIMEOUT_MS (60000), INTEGRESQL_TEST_DB_MINIMAL_LIFETIME_MS (250),
        INTEGRESQL_TEST_INITIAL_POOL_SIZE, INTEGRESQL_TEST_MAX_POOL_SIZE, INTEGRESQL_POOL_MAX_PARALLEL_TASKS,
        INTEGRESQL_PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE (an external server instead of the embedded one),
        PGM_SOCKET, PGM_DATABASE_PREFIX (default pgm_test_), PGM_DATABASE_COUNT (default 8),
        and every pgisolated setting as PGISOLATED_... (see the README).

      Exit codes: 0 ok; CMD's for wrap and wrap-each; 1 clean left databases in use; 2 usage error;
        125 pgisolated failed; 126/127 CMD could not be run / was not found.
      """;
}
