package io.github.pgisolated.core.internal.server;

import io.github.pgisolated.core.PgIsolatedConfig;
import io.github.pgisolated.core.UnableToStartPostgresException;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * PostgreSQL in a container started by Testcontainers 2.x ({@code pgisolated.postgres=testcontainers}).
 * The only class that touches Testcontainers, which is an optional dependency: {@link Servers}
 * checks it is on the classpath before loading this class.
 *
 * <p>The container belongs to this JVM: Testcontainers' reaper removes it when the JVM exits.
 */
public final class TestcontainersPostgresServer implements PostgresServer {
  private final PostgreSQLContainer container;
  private final ServerEndpoint endpoint;

  private TestcontainersPostgresServer(PostgreSQLContainer container, ServerEndpoint endpoint) {
    this.container = container;
    this.endpoint = endpoint;
  }

  public static TestcontainersPostgresServer start(PgIsolatedConfig config) {
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      throw new UnableToStartPostgresException("pgisolated.postgres=testcontainers needs a Docker engine, and "
          + "Testcontainers found none. Start Docker, or use pgisolated.postgres=embedded (the default: real "
          + "PostgreSQL binaries, no Docker) or pgisolated.postgres=external.");
    }
    PostgreSQLContainer container;
    try {
      container = new PostgreSQLContainer(DockerImageName.parse(config.testcontainersImage())
          .asCompatibleSubstituteFor("postgres"))
          .withCommand("postgres", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
              "-c", "max_connections=300");
      container.start();
    } catch (RuntimeException e) {
      throw new UnableToStartPostgresException("Testcontainers could not start " + config.testcontainersImage()
          + ": " + e.getMessage() + ". Check pgisolated.testcontainers.image and that Docker can pull it.", e);
    }
    int port = container.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT);
    String version = container.getContainerInfo().getConfig().getImage();
    ServerEndpoint endpoint = new ServerEndpoint(container.getHost(), port, container.getUsername(),
        container.getPassword(), majorVersionOf(container), "PostgreSQL in container " + version + " at "
        + container.getHost() + ":" + port, container.getDatabaseName());
    return new TestcontainersPostgresServer(container, endpoint);
  }

  private static int majorVersionOf(PostgreSQLContainer container) {
    try (var c = container.createConnection(""); var s = c.createStatement();
        var rs = s.executeQuery("select current_setting('server_version_num')::int / 10000")) {
      rs.next();
      return rs.getInt(1);
    } catch (Exception e) {
      throw new UnableToStartPostgresException("Could not read the version of the PostgreSQL in " + container.getDockerImageName(), e);
    }
  }

  @Override
  public ServerEndpoint endpoint() {
    return endpoint;
  }

  @Override
  public void close() {
    container.stop();
  }
}
