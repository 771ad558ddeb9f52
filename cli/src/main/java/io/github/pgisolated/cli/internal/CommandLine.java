package io.github.pgisolated.cli.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the command line and the environment into {@link Settings}. Plain Java on purpose: a
 * handful of options does not need a parser library in a jar people download.
 *
 * <p>Options may come before or after the command (pgmanager's {@code -s PATH serve} works);
 * everything after {@code --} is the child command of wrap and wrap-each. Every bad value is a
 * {@link UsageException} naming the option or variable, the value and what is allowed.
 */
public final class CommandLine {
  static final List<String> COMMANDS = List.of("serve", "wrap", "wrap-each", "status", "clean", "help");
  static final String DEFAULT_SOCKET = "tmp/pgmanager.sock";
  static final String DEFAULT_PREFIX = "pgm_test_";
  private static final Pattern DURATION = Pattern.compile("([0-9]+)(ms|s|m|h)?");

  private final Map<String, String> env;
  private final Path workingDirectory;
  private final Consumer<String> warnings;

  /**
   * @param env the environment to read {@code INTEGRESQL_*} and {@code PGM_*} from
   * @param workingDirectory what relative socket paths are joined to (as pgmanager does)
   * @param warnings where deprecation warnings go
   */
  public CommandLine(Map<String, String> env, Path workingDirectory, Consumer<String> warnings) {
    this.env = env;
    this.workingDirectory = workingDirectory;
    this.warnings = warnings;
  }

  public Settings parse(String... args) {
    String command = null;
    String address = null;
    Integer port = null;
    boolean http = true;
    String socket = null;
    boolean socketFlag = false;
    List<Path> templates = new ArrayList<>();
    Duration leaseTtl = Duration.ofMinutes(10);
    Duration initTimeout = Duration.ofMinutes(10);
    boolean printEnv = false;
    boolean verbose = false;
    boolean ignore = false;
    boolean xarg = false;
    int jobs = 1;
    boolean force = false;
    List<String> child = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String inline = null;
      if (arg.startsWith("--") && arg.contains("=")) {
        inline = arg.substring(arg.indexOf('=') + 1);
        arg = arg.substring(0, arg.indexOf('='));
      }
      switch (arg) {
        case "--" -> {
          child.addAll(List.of(args).subList(i + 1, args.length));
          i = args.length;
        }
        case "-h", "--help" -> command = "help";
        case "-v", "--verbose" -> verbose = true;
        case "--address" -> address = inline != null ? inline : value(args, ++i, arg);
        case "--port" -> port = integer(inline != null ? inline : value(args, ++i, arg), arg, 0, 65535);
        case "--no-http" -> http = false;
        case "-s", "--socket", "--pgmanager-socket" -> {
          socketFlag = true;
          // The path may be left out: then PGM_SOCKET, else pgmanager's default.
          if (inline != null) {
            socket = inline;
          } else if (i + 1 < args.length && !args[i + 1].startsWith("-") && !COMMANDS.contains(args[i + 1])) {
            socket = args[++i];
          }
        }
        case "--template" -> templates.add(Path.of(inline != null ? inline : value(args, ++i, arg)));
        case "--lease-ttl" -> leaseTtl = duration(inline != null ? inline : value(args, ++i, arg), arg);
        case "--template-init-timeout" -> initTimeout = duration(inline != null ? inline : value(args, ++i, arg), arg);
        case "--print-env" -> printEnv = true;
        case "-i", "--ignore-exit-code" -> ignore = true;
        case "-x", "--xarg" -> xarg = true;
        case "-ix", "-xi" -> {
          ignore = true;
          xarg = true;
        }
        case "-j", "--jobs" -> jobs = integer(inline != null ? inline : value(args, ++i, arg), arg, 1, 1024);
        case "--force" -> force = true;
        default -> {
          if (arg.startsWith("-")) {
            throw new UsageException("Unknown option " + arg + ". Run pgisolated --help for the options.");
          }
          if (command != null && !command.equals("help")) {
            throw new UsageException("Unexpected argument '" + arg + "' after the command " + command
                + ". A command to run goes after --, e.g. pgisolated wrap -- make test");
          }
          if (!COMMANDS.contains(arg)) {
            throw new UsageException("Unknown command '" + arg + "'; the commands are " + String.join(", ", COMMANDS) + ".");
          }
          if (command == null) {
            command = arg;
          }
        }
      }
    }
    if (command == null) {
      command = "help";
    }
    boolean wraps = command.equals("wrap") || command.equals("wrap-each");
    if (wraps && child.isEmpty()) {
      throw new UsageException("pgisolated " + command + " needs a command to run after --, e.g. pgisolated " + command
          + " -- psql -c 'select 1'");
    }
    if (!wraps && !child.isEmpty()) {
      throw new UsageException("pgisolated " + command + " runs no command; only wrap and wrap-each take one after --.");
    }
    if (socket == null) {
      socket = env.get("PGM_SOCKET");
    }
    // serve offers pgmanager's protocol when asked to; wrap and wrap-each always do (that is what they are for).
    boolean pgmanager = wraps || socketFlag || env.containsKey("PGM_SOCKET") || env.containsKey("PGM_DATABASE_PREFIX");
    Path socketPath = pgmanager ? workingDirectory.resolve(socket == null ? DEFAULT_SOCKET : socket).normalize() : null;
    Map<String, String> core = coreSettings();
    String listen = address != null ? address : env.getOrDefault("INTEGRESQL_ADDRESS", "127.0.0.1");
    // IntegreSQL listens on every interface when the address is empty.
    return new Settings(command, listen.isEmpty() ? "0.0.0.0" : listen,
        port != null ? port : envInt("INTEGRESQL_PORT", command.equals("serve") ? 5000 : 0, 0, 65535),
        http, socketPath, prefix(), count(), templates,
        envMillis("INTEGRESQL_TEMPLATE_FINALIZE_TIMEOUT_MS", 60_000),
        envMillis("INTEGRESQL_TEST_DB_GET_TIMEOUT_MS", 60_000),
        envMillis("INTEGRESQL_TEST_DB_MINIMAL_LIFETIME_MS", 250),
        leaseTtl, initTimeout, printEnv, verbose, ignore, xarg, jobs, force, child, core);
  }

  /** IntegreSQL's pool and server variables, as the pgisolated settings that mean the same. */
  private Map<String, String> coreSettings() {
    Map<String, String> core = new LinkedHashMap<>();
    copy(core, "INTEGRESQL_TEST_INITIAL_POOL_SIZE", "pgisolated.pool.initial-size");
    copy(core, "INTEGRESQL_TEST_MAX_POOL_SIZE", "pgisolated.pool.max-size");
    copy(core, "INTEGRESQL_POOL_MAX_PARALLEL_TASKS", "pgisolated.pool.parallel-tasks");
    String host = env.get("INTEGRESQL_PGHOST");
    if (host != null) {
      // An external server, as IntegreSQL's users run one; without it, the embedded one.
      String port = env.getOrDefault("INTEGRESQL_PGPORT", "5432");
      String database = env.getOrDefault("INTEGRESQL_PGDATABASE", "postgres");
      core.put("pgisolated.postgres", "external");
      core.put("pgisolated.external.url", "jdbc:postgresql://" + host + ":" + port + "/" + database);
      core.put("pgisolated.external.user", env.getOrDefault("INTEGRESQL_PGUSER", env.getOrDefault("USER", "postgres")));
      core.put("pgisolated.external.password", env.getOrDefault("INTEGRESQL_PGPASSWORD", ""));
    }
    return core;
  }

  private void copy(Map<String, String> core, String variable, String key) {
    String value = env.get(variable);
    if (value != null) {
      integer(value, variable, 0, 100_000);
      core.put(key, value);
    }
  }

  /** pgmanager's PGM_DATABASE_PREFIX, with its deprecated fallback DATABASE_PREFIX. */
  private String prefix() {
    String prefix = pgmVariable("DATABASE_PREFIX");
    if (prefix == null) {
      return DEFAULT_PREFIX;
    }
    if (prefix.isEmpty() || prefix.length() > 55 || !prefix.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new UsageException("PGM_DATABASE_PREFIX='" + prefix + "' is not usable: use letters, digits and "
          + "underscores, at most 55 of them, not starting with a digit (the names are <prefix><n>).");
    }
    if (prefix.toLowerCase(Locale.ROOT).startsWith("pgisolated_")) {
      throw new UsageException("PGM_DATABASE_PREFIX='" + prefix + "' starts with pgisolated_, which names pgisolated's "
          + "own templates and clones; pick another prefix.");
    }
    return prefix;
  }

  private int count() {
    String count = pgmVariable("DATABASE_COUNT");
    // pgmanager silently turns a bad count into 8 (and hangs every client on 0): say so instead.
    return count == null ? 8 : integer(count, "PGM_DATABASE_COUNT", 1, 1000);
  }

  private String pgmVariable(String name) {
    String value = env.get("PGM_" + name);
    if (value == null && env.get(name) != null) {
      value = env.get(name);
      warnings.accept(name + " is deprecated, as in pgmanager: set PGM_" + name + " instead.");
    }
    return value;
  }

  private int envInt(String variable, int otherwise, int min, int max) {
    String value = env.get(variable);
    return value == null || value.isEmpty() ? otherwise : integer(value, variable, min, max);
  }

  private Duration envMillis(String variable, int otherwise) {
    return Duration.ofMillis(envInt(variable, otherwise, 1, Integer.MAX_VALUE));
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new UsageException("Option " + option + " needs a value.");
    }
    return args[i];
  }

  static int integer(String value, String what, int min, int max) {
    try {
      int n = Integer.parseInt(value.trim());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException(what + "='" + value + "' is not a whole number from " + min + " to " + max + ".");
  }

  /** {@code 500ms}, {@code 30s}, {@code 10m}, {@code 1h}; a bare number is seconds. */
  static Duration duration(String value, String what) {
    Matcher m = DURATION.matcher(value.trim());
    if (!m.matches()) {
      throw new UsageException(what + "='" + value + "' is not a duration; write 500ms, 30s, 10m or 1h.");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    Duration d = switch (unit) {
      case "ms" -> Duration.ofMillis(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofSeconds(n);
    };
    if (d.isZero()) {
      throw new UsageException(what + "='" + value + "' must be longer than zero.");
    }
    return d;
  }
}
