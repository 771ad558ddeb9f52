package io.github.pgisolated.core.internal.embedded;

import io.github.pgisolated.core.internal.server.PostgresServer;
import io.github.pgisolated.core.internal.server.ServerEndpoint;

/**
 * This JVM's use of an embedded server. {@link #close()} ends the use (the JVM no longer counts
 * as a client for the idle watchdog); it never stops the server, which is shared with other JVMs
 * and stops on its idle policy or through {@link EmbeddedPostgres#stop(EmbeddedSettings)}.
 */
public final class EmbeddedServer implements PostgresServer {

  private final ServerEndpoint endpoint;
  private final ClusterLayout layout;
  private final long postmasterPid;
  private final ClientRegistry.Registration registration;

  EmbeddedServer(ServerEndpoint endpoint, ClusterLayout layout, long postmasterPid,
      ClientRegistry.Registration registration) {
    this.endpoint = endpoint;
    this.layout = layout;
    this.postmasterPid = postmasterPid;
    this.registration = registration;
  }

  /** The server on {@code port}, its endpoint described for logs and error messages. */
  static EmbeddedServer create(ClusterLayout layout, EmbeddedSettings settings, int port,
      String password, String serverVersion, long postmasterPid,
      ClientRegistry.Registration registration) {
    return new EmbeddedServer(endpoint(layout, settings, port, password, serverVersion), layout,
        postmasterPid, registration);
  }

  private static ServerEndpoint endpoint(ClusterLayout layout, EmbeddedSettings settings,
      int port, String password, String serverVersion) {
    String version = serverVersion == null ? settings.version() : serverVersion;
    int major = settings.majorVersion();
    try {
      major = Integer.parseInt(version.split("[.\\s]")[0]);
    } catch (NumberFormatException e) {
      // Keep the configured major.
    }
    return new ServerEndpoint("127.0.0.1", port, "postgres", password, major,
        "embedded PostgreSQL " + version + " at 127.0.0.1:" + port + " (data "
            + layout.dataDirectory() + ")");
  }

  @Override
  public java.util.Optional<String> coordinationKey() {
    return java.util.Optional.of("embedded " + layout.dataDirectory().toAbsolutePath().normalize());
  }

  @Override
  public ServerEndpoint endpoint() {
    return endpoint;
  }

  /** The data directory the server runs on. */
  @Override
  public java.util.Optional<java.nio.file.Path> dataDirectory() {
    return java.util.Optional.of(layout.dataDirectory());
  }

  /** The server's log file (where PostgreSQL says why it stopped). */
  public java.nio.file.Path serverLog() {
    return layout.serverLog();
  }

  /** The postmaster's pid at the time this JVM started or found the server. */
  public long postmasterPid() {
    return postmasterPid;
  }

  @Override
  public void close() {
    registration.close();
  }

  @Override
  public String toString() {
    return endpoint.description();
  }
}
