package io.github.pgisolated.core.internal.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the idle watchdog which JVMs use a server: one file {@code <control>/clients/<pid>} per
 * JVM, present while any {@link Registration} of this JVM for that cluster is open.
 *
 * <p>Registrations are counted per clients directory inside the JVM (several server objects, one
 * file). The file goes when the count drops to zero and, for whatever is still open, in a
 * shutdown hook. A JVM killed with {@code -9} leaves its file behind; the watchdog removes files
 * whose pid is dead ({@code kill -0}). Thread-safe (all state behind this class's monitor).
 */
public final class ClientRegistry {

  private static final Logger LOG = LoggerFactory.getLogger(ClientRegistry.class);
  private static final Map<Path, Integer> COUNTS = new HashMap<>();
  private static boolean hookInstalled;

  /** One use of a server by this JVM; {@link #close()} ends it (idempotent). */
  public static final class Registration implements AutoCloseable {
    private final Path clientsDirectory;
    private boolean closed;

    private Registration(Path clientsDirectory) {
      this.clientsDirectory = clientsDirectory;
    }

    @Override
    public void close() {
      synchronized (ClientRegistry.class) {
        if (closed) {
          return;
        }
        closed = true;
        int count = COUNTS.merge(clientsDirectory, -1, Integer::sum);
        if (count <= 0) {
          COUNTS.remove(clientsDirectory);
          deleteQuietly(clientsDirectory);
        }
      }
    }
  }

  private ClientRegistry() {}

  /** Registers this JVM as a user of the cluster; creates {@code clients/<pid>}. */
  public static synchronized Registration register(ClusterLayout layout) {
    Path clients = layout.clientsDirectory();
    try {
      Locations.createDirectories(clients);
      Path file = clients.resolve(Long.toString(ProcessHandle.current().pid()));
      Files.writeString(file, "pgisolated client\n");
    } catch (IOException e) {
      throw new EmbeddedPostgresException("Cannot register this JVM in " + clients + ": " + e
          + ". The directory must be writable by this user.", e);
    }
    COUNTS.merge(clients, 1, Integer::sum);
    if (!hookInstalled) {
      Runtime.getRuntime().addShutdownHook(new Thread(ClientRegistry::unregisterAll,
          "pgisolated-embedded-unregister"));
      hookInstalled = true;
    }
    return new Registration(clients);
  }

  /** Whether this JVM is registered in that clients directory (for tests). */
  static synchronized boolean isRegistered(ClusterLayout layout) {
    return COUNTS.containsKey(layout.clientsDirectory());
  }

  private static synchronized void unregisterAll() {
    COUNTS.keySet().forEach(ClientRegistry::deleteQuietly);
    COUNTS.clear();
  }

  private static void deleteQuietly(Path clients) {
    Path file = clients.resolve(Long.toString(ProcessHandle.current().pid()));
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.debug("Could not remove {}", file, e);
    }
  }
}
