package io.github.pgisolated.cli.internal;

import java.lang.reflect.Proxy;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGINT and SIGTERM, handled instead of ending the JVM, so that a server shuts down in order and
 * exits 0 (pgmanager's serve does on SIGINT, and leaves its socket behind on SIGTERM: we do both
 * the same), and wrap can pass the signal on to its command and exit with the command's code.
 *
 * <p>Through {@code sun.misc.Signal} (module jdk.unsupported), by reflection, because javac warns
 * about its use and the build turns warnings into errors. Where it is missing, a shutdown hook
 * runs the handler instead (the exit code is then the JVM's).
 */
final class Signals {
  private static final Logger LOG = LoggerFactory.getLogger(Signals.class);

  private Signals() {}

  /** Calls {@code handler} with "INT" or "TERM" on each such signal. */
  static void onInterruptOrTerminate(Consumer<String> handler) {
    try {
      Class<?> signal = Class.forName("sun.misc.Signal");
      Class<?> signalHandler = Class.forName("sun.misc.SignalHandler");
      for (String name : new String[] {"INT", "TERM"}) {
        Object proxy = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {signalHandler},
            (self, method, args) -> {
              if (method.getName().equals("handle")) {
                handler.accept(name);
              } else if (method.getName().equals("toString")) {
                return "pgisolated SIG" + name + " handler";
              } else if (method.getName().equals("hashCode")) {
                return System.identityHashCode(self);
              } else if (method.getName().equals("equals")) {
                return self == args[0];
              }
              return null;
            });
        Object previous = signal.getMethod("handle", signal, signalHandler)
            .invoke(null, signal.getConstructor(String.class).newInstance(name), proxy);
        if (previous != null && previous == signalHandler.getField("SIG_IGN").get(null)) {
          // A shell without job control starts background commands (`cmd &` in a script) with
          // SIGINT ignored, and the JVM then keeps it ignored: say so, or Ctrl-C seems broken.
          LOG.info("SIG{} is ignored in this process (it was started with SIG{} ignored, e.g. in the background of a "
              + "script); stop it with SIGTERM", name, name);
        }
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.debug("No signal handlers (sun.misc.Signal unavailable); using a shutdown hook", e);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> handler.accept("TERM"), "pgisolated-shutdown"));
    }
  }
}
