package io.github.pgisolated.cli.internal;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;

/** {@code pgisolated serve}: serves until SIGINT or SIGTERM, then shuts down in order and exits 0. */
final class ServeCommand {
  private ServeCommand() {}

  static int run(Settings settings, PrintStream out, PrintStream err) throws Exception {
    CountDownLatch stop = new CountDownLatch(1);
    Signals.onInterruptOrTerminate(signal -> stop.countDown());
    Services services = Services.start(settings);
    try {
      if (settings.printEnv()) {
        Services.printEnvironment(services.clientEnvironment(), out);
      } else {
        services.clientEnvironment().forEach((name, value) ->
            err.println("  " + name + "=" + (name.equals("PGPASSWORD") ? "(see --print-env)" : value)));
      }
      err.println("pgisolated serve is ready; stop it with Ctrl-C or SIGTERM.");
      stop.await();
      err.println("Stopping: ending leases, removing the socket, leaving the pool…");
    } finally {
      services.close();
    }
    err.println(services.summary());
    return 0;
  }
}
