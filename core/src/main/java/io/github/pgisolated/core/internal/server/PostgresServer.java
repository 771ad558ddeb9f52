package io.github.pgisolated.core.internal.server;

import java.util.Optional;

/**
 * A PostgreSQL server this JVM uses: embedded, external or from Testcontainers.
 *
 * <p>{@link #close()} ends this JVM's use of the server. It does not necessarily stop the server:
 * the embedded one outlives the JVM that started it and stops on its own idle policy.
 */
public interface PostgresServer extends AutoCloseable {

  /** Where the server listens and how to administer it. Stable for the life of this object. */
  ServerEndpoint endpoint();

  /**
   * What identifies this server to the other JVMs on this machine that may share it through a
   * coordinator (the embedded data directory, the external URL and user), or empty when no other
   * JVM can use it (a container only this JVM started).
   */
  default Optional<String> coordinationKey() {
    return Optional.empty();
  }

  /** Where the server keeps its data, when this JVM can see it (the embedded server's). */
  default Optional<java.nio.file.Path> dataDirectory() {
    return Optional.empty();
  }

  /** Ends this JVM's use of the server; never throws. */
  @Override
  void close();
}
