package io.github.pgisolated.cli.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything a command was told, from its options and the environment (see {@link CommandLine}).
 *
 * @param command {@code serve}, {@code wrap}, {@code wrap-each}, {@code status}, {@code clean} or {@code help}
 * @param address where the IntegreSQL API listens ({@code INTEGRESQL_ADDRESS}, default 127.0.0.1)
 * @param port its port ({@code INTEGRESQL_PORT}; 5000 for serve, 0 (any free one) for wrap)
 * @param http whether to serve the IntegreSQL API at all
 * @param pgmanagerSocket the pgmanager socket, absolute; null when not served
 * @param prefix pgmanager database names: {@code <prefix><n>}
 * @param count how many pgmanager databases
 * @param templates the SQL files and migration directories of the pgmanager databases' template
 * @param finalizeTimeout how long GET, unlock and recreate wait for a template to be finalized
 * @param getTimeout how long GET waits for a ready database
 * @param minimalLifetime how long a test database stays its client's before it may be recycled for others
 * @param leaseTtl after this long, a test database its client never gave back is recreated anyway
 * @param initTimeout a template its client never finalized within this long is marked failed
 * @param printEnv print what a client needs, in shell syntax, once serving
 * @param verbose debug logging
 * @param ignoreExitCode wrap-each: run every command whatever they exit with, exit 0
 * @param appendName wrap-each: the database name is the command's last argument
 * @param jobs wrap-each: how many commands run at once
 * @param force clean: drop databases even while they are in use
 * @param childCommand what wrap and wrap-each run
 * @param coreSettings {@code pgisolated.*} settings derived from {@code INTEGRESQL_*} variables
 */
public record Settings(String command, String address, int port, boolean http, Path pgmanagerSocket, String prefix,
    int count, List<Path> templates, Duration finalizeTimeout, Duration getTimeout, Duration minimalLifetime,
    Duration leaseTtl, Duration initTimeout, boolean printEnv, boolean verbose, boolean ignoreExitCode,
    boolean appendName, int jobs, boolean force, List<String> childCommand, Map<String, String> coreSettings) {

  public Settings {
    templates = List.copyOf(templates);
    childCommand = List.copyOf(childCommand);
    coreSettings = Map.copyOf(coreSettings);
  }
}
