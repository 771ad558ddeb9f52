package io.github.pgisolated.cli.internal;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * pgmanager's socket protocol (0.1–0.3), wire-compatible: a client connects and sends nothing; it
 * is sent {@code OK:<database>} in one write, with no terminator, as soon as a database is free
 * (it waits as long as it takes); the database is its own until the connection ends.
 *
 * <p>Unlike pgmanager: any bytes from the client end the lease too (pgmanager leaks the database
 * until it restarts), a client that gives up while waiting is noticed and gets nothing, a stale
 * socket file is replaced while a live one is refused, and the socket file is removed on close.
 *
 * <p>One thread accepts; each connection gets a thread of its own for as long as its lease lasts.
 */
final class PgManagerSocket implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PgManagerSocket.class);

  private final Path path;
  private final ServerSocketChannel server;
  private final PgManagerDatabases databases;
  private final ExecutorService threads;
  private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
  private final Thread acceptor;
  private volatile boolean closed;

  private PgManagerSocket(Path path, ServerSocketChannel server, PgManagerDatabases databases) {
    this.path = path;
    this.server = server;
    this.databases = databases;
    AtomicInteger n = new AtomicInteger();
    this.threads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "pgisolated-pgmanager-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.acceptor = new Thread(this::acceptLoop, "pgisolated-pgmanager-accept");
    acceptor.setDaemon(true);
  }

  /** Binds {@code path} (its parent directories are created, as pgmanager does) and starts serving. */
  static PgManagerSocket start(Path path, PgManagerDatabases databases) throws IOException {
    Files.createDirectories(path.getParent());
    if (Files.exists(path)) {
      boolean live;
      try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
        live = probe.isConnected();
      } catch (IOException nobodyListens) {
        live = false;
      }
      if (live) {
        throw new IllegalStateException("Another server is listening on the pgmanager socket " + path
            + " (a pgmanager, or another pgisolated serve or wrap). Stop it, or pass --pgmanager-socket with another path.");
      }
      // A socket file left by a server that died: pgmanager would fail to bind; replace it.
      Files.delete(path);
    }
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(path));
    try {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException | IOException e) {
      LOG.debug("Could not restrict {} to its owner", path, e);
    }
    PgManagerSocket socket = new PgManagerSocket(path, server, databases);
    socket.acceptor.start();
    return socket;
  }

  Path path() {
    return path;
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        SocketChannel client = server.accept();
        open.add(client);
        threads.execute(() -> serve(client));
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        if (!closed) {
          LOG.warn("pgmanager socket {}: accept failed", path, e);
        }
      }
    }
  }

  private void serve(SocketChannel client) {
    String name = null;
    try (client) {
      client.configureBlocking(false);
      name = databases.acquire(() -> gone(client));
      if (name == null) {
        return;
      }
      client.configureBlocking(true);
      ByteBuffer reply = ByteBuffer.wrap(("OK:" + name).getBytes(StandardCharsets.UTF_8));
      while (reply.hasRemaining()) {
        client.write(reply);
      }
      LOG.debug("pgmanager client got {}", name);
      ByteBuffer in = ByteBuffer.allocate(1024);
      int read = client.read(in);
      if (read > 0) {
        LOG.warn("A pgmanager client sent {} byte(s) while holding {}; pgmanager clients send nothing. The lease "
            + "ended and the database is recreated (pgmanager would have leaked it).", read, name);
      }
    } catch (IOException e) {
      LOG.debug("pgmanager connection ended: {}", e.toString());
    } finally {
      open.remove(client);
      if (name != null) {
        databases.release(name);
      }
    }
  }

  /** While it waits, whether the client closed (or wrote: pgmanager clients never do). */
  private static boolean gone(SocketChannel client) {
    try {
      return client.read(ByteBuffer.allocate(1)) != 0;
    } catch (IOException e) {
      return true;
    }
  }

  /** Stops accepting, ends every lease (their clients see end-of-stream) and removes the socket file. */
  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      LOG.debug("Closing {}", path, e);
    }
    for (SocketChannel client : open) {
      try {
        client.close();
      } catch (IOException ignored) {
        // ending anyway
      }
    }
    threads.shutdown();
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      LOG.warn("Could not remove the pgmanager socket {}", path, e);
    }
  }
}
