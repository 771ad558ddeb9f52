package io.github.pgisolated.core.internal.server;

/**
 * A PostgreSQL server this JVM uses: embedded, external or from Testcontainers.
 *
 * <p>{@link #close()} ends this JVM's use of the server. It does not necessarily stop the server:
 * the embedded one outlives the JVM that started it and stops on its own idle policy.
 */
public interface PostgresServer extends AutoCloseable {

  /** Where the server listens and how to administer it. Stable for the life of this object. */
  ServerEndpoint endpoint();

  /** Ends this JVM's use of the server; never throws. */
  @Override
  void close();
}
