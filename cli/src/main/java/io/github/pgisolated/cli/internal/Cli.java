package io.github.pgisolated.cli.internal;

import io.github.pgisolated.core.PgIsolatedException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/** Runs one command line: parses it, runs the command, and turns failures into messages and exit codes. */
public final class Cli {
  private Cli() {}

  /** The exit code of {@code pgisolated args...}. */
  public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    Settings settings;
    try {
      settings = new CommandLine(env, Path.of("").toAbsolutePath(), warning -> err.println("pgisolated: " + warning))
          .parse(args);
    } catch (UsageException e) {
      err.println("pgisolated: " + e.getMessage());
      return 2;
    }
    if (settings.verbose()) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "debug");
    }
    try {
      return switch (settings.command()) {
        case "serve" -> ServeCommand.run(settings, out, err);
        case "wrap" -> WrapCommand.run(settings, err);
        case "wrap-each" -> WrapEachCommand.run(settings, err);
        case "status" -> StatusCommand.run(settings, out);
        case "clean" -> CleanCommand.run(settings, out);
        default -> {
          out.print(Usage.TEXT);
          yield 0;
        }
      };
    } catch (UsageException e) {
      err.println("pgisolated: " + e.getMessage());
      return 2;
    } catch (ChildProcesses.ChildFailedToStart e) {
      err.println("pgisolated " + settings.command() + ": " + e.getMessage());
      return e.exitCode();
    } catch (PgIsolatedException | IllegalStateException e) {
      err.println("pgisolated " + settings.command() + " failed: " + e.getMessage());
      return ChildProcesses.OWN_FAILURE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("pgisolated " + settings.command() + " was interrupted");
      return ChildProcesses.OWN_FAILURE;
    } catch (Exception e) {
      err.println("pgisolated " + settings.command() + " failed: " + e);
      e.printStackTrace(err);
      return ChildProcesses.OWN_FAILURE;
    }
  }
}
