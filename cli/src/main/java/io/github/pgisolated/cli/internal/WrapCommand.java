package io.github.pgisolated.cli.internal;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code pgisolated wrap -- CMD ARGS…}: starts (or joins) the pool, serves the IntegreSQL API (on a
 * free port unless --port says otherwise) and pgmanager's socket, runs CMD with the variables
 * that point at them, and exits with CMD's exit code (1 when a signal ended it). SIGINT and SIGTERM
 * are passed on to CMD (a second one kills it). The pool itself lives on for the other JVMs: a
 * coordinator hands over to the next one when it leaves.
 */
final class WrapCommand {
  private WrapCommand() {}

  static int run(Settings settings, PrintStream err) throws Exception {
    Services services = Services.start(settings);
    int code;
    try {
      Process child = ChildProcesses.start(settings.childCommand(), services.clientEnvironment());
      AtomicInteger signals = new AtomicInteger();
      Signals.onInterruptOrTerminate(signal -> {
        if (signals.incrementAndGet() > 1) {
          child.destroyForcibly();
        } else {
          ChildProcesses.signal(child, signal);
        }
      });
      code = ChildProcesses.exitCode(child.waitFor());
    } finally {
      services.close();
    }
    err.println(services.summary());
    return code;
  }
}
