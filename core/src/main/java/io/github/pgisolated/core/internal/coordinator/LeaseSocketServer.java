package io.github.pgisolated.core.internal.coordinator;

import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's end of the socket: serves wire protocol v1 ({@code docs/protocol.md}) to the
 * other JVMs of the build, on behalf of the coordinator's {@link LeaseService}.
 *
 * <p><b>A lease is a connection.</b> Each request arrives on a connection of its own, and a
 * successful lease keeps its connection open until the holder sends {@code RETURN}, closes it, or
 * dies; then the lease is given back (see {@link LeaseConnection} for the exactly-once rule). So a
 * crashed holder never leaks a database, and a crashed coordinator is noticed by every holder as
 * end-of-stream.
 *
 * <p><b>Threads.</b> One daemon thread accepts; each connection gets a daemon thread of its own
 * that blocks on it for the connection's whole life (a build has tens of connections, not
 * thousands). Those threads come from a cached pool, because starting a thread costs more than
 * the rest of a lease round trip together (measured: 0.36 ms against 0.09 ms per lease); an idle
 * one ends after a minute. One timer thread enforces the request deadline. Nothing a client does
 * ends the accept loop: failures end one connection.
 *
 * <p><b>Who may connect.</b> The socket is 0600 inside a 0700 directory, and every connection's
 * {@code SO_PEERCRED} user must be the server's own, else it is answered {@code FORBIDDEN}.
 *
 * <p>{@link #close()} stops accepting, deletes the socket file and closes every connection, so
 * holders see end-of-stream and re-elect; it leaves the {@link CoordinatorLock} to the caller, who
 * releases it afterwards.
 */
public final class LeaseSocketServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LeaseSocketServer.class);

  /** How long a client has to send its request line. */
  static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
  /** How long {@link #close()} waits for connection threads to give their leases back. */
  private static final Duration CLOSE_GRACE = Duration.ofSeconds(2);
  private static final AtomicLong THREAD_NUMBERS = new AtomicLong();

  private final CoordinatorLock lock;
  private final LeaseService service;
  private final Supplier<String> status;
  private final Duration requestTimeout;
  /** Replaced by {@link #rebind()} when the socket file was removed; read by the accept loop. */
  private volatile ServerSocketChannel server;
  /** The bound socket file's identity, to tell whether the file at the path is still ours. */
  private volatile Object socketKey;
  private final UserPrincipal owner;
  private final ScheduledExecutorService timer;
  private final Set<LeaseConnection> connections = ConcurrentHashMap.newKeySet();
  private final ExecutorService connectionThreads;
  private final Thread acceptor;
  private volatile boolean closing;

  private LeaseSocketServer(CoordinatorLock lock, LeaseService service, Supplier<String> status,
      Duration requestTimeout, ServerSocketChannel server, UserPrincipal owner) {
    this.lock = lock;
    this.service = service;
    this.status = status;
    this.requestTimeout = requestTimeout;
    this.server = server;
    this.owner = owner;
    this.timer = LineChannel.deadlineTimer("pgisolated-coordinator-deadlines");
    this.connectionThreads = Executors.newCachedThreadPool(runnable ->
        daemon("pgisolated-coordinator-connection-" + THREAD_NUMBERS.incrementAndGet())
            .newThread(runnable));
    this.acceptor = daemon("pgisolated-coordinator-accept").newThread(this::acceptLoop);
  }

  /**
   * Binds {@code directory}'s socket and starts serving.
   *
   * @param lock proof that this JVM is the coordinator of {@code directory}
   * @param status the coordinator's state as {@code key=value} pairs, for {@code STATUS}
   * @throws CoordinatorUnavailableException if the socket cannot be bound
   */
  public static LeaseSocketServer start(CoordinatorDirectory directory, CoordinatorLock lock,
      LeaseService service, Supplier<String> status) {
    return start(directory, lock, service, status, DEFAULT_REQUEST_TIMEOUT);
  }

  /**
   * As {@link #start(CoordinatorDirectory, CoordinatorLock, LeaseService, Supplier)}, with the
   * time a client has for its request line (tests shorten it).
   */
  static LeaseSocketServer start(CoordinatorDirectory directory, CoordinatorLock lock,
      LeaseService service, Supplier<String> status, Duration requestTimeout) {
    lock.throwIfNotHeld();
    if (!lock.directory().directory().equals(directory.directory())) {
      throw new IllegalArgumentException(lock + " does not guard " + directory);
    }
    Path socket = directory.socketFile();
    ServerSocketChannel channel = null;
    try {
      Files.deleteIfExists(socket); // a leftover; ours to delete while we hold the lock
      channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      channel.bind(UnixDomainSocketAddress.of(socket), 64);
      // The directory is 0700 already; this keeps the socket private if it is ever moved.
      Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
      LeaseSocketServer started = new LeaseSocketServer(lock, service, status, requestTimeout,
          channel, Files.getOwner(socket));
      started.socketKey = CoordinatorLock.fileKeyOf(socket);
      started.acceptor.start();
      LOG.debug("Coordinator listening on {}", socket);
      return started;
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel);
      throw new CoordinatorUnavailableException("Could not listen on the coordinator socket "
          + socket + ": " + e, e);
    }
  }

  public Path socketFile() {
    return lock.directory().socketFile();
  }

  /** Whether the socket file at the path is still the one this server listens on. */
  public boolean isBound() {
    Object key = socketKey;
    return key == null ? Files.exists(socketFile()) : key.equals(CoordinatorLock.fileKeyOf(socketFile()));
  }

  /**
   * Listens on a new socket file at the path, after the old one was removed (a temporary-file
   * cleaner): clients can connect again. Connections already open stay as they are. Call it
   * only while holding the (renewed) lock.
   *
   * @throws CoordinatorUnavailableException if the socket cannot be bound
   */
  public synchronized void rebind() {
    lock.throwIfNotHeld();
    if (closing) {
      return;
    }
    Path socket = socketFile();
    ServerSocketChannel fresh = null;
    try {
      Files.deleteIfExists(socket);
      fresh = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      fresh.bind(UnixDomainSocketAddress.of(socket), 64);
      Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
      ServerSocketChannel old = server;
      server = fresh;
      socketKey = CoordinatorLock.fileKeyOf(socket);
      // Ends the accept loop's wait on the old channel; it goes on with the new one.
      closeQuietly(old);
    } catch (IOException | RuntimeException e) {
      closeQuietly(fresh);
      throw new CoordinatorUnavailableException("Could not listen again on the coordinator socket " + socket
          + ": " + e, e);
    }
  }

  /** Whether the server accepts connections (not closed, accept thread alive). */
  public boolean isServing() {
    return !closing && acceptor.isAlive();
  }

  /** Open connections: leases held, requests being answered, clients waiting for a lease. */
  public int connections() {
    return connections.size();
  }

  /** Leases held through this server right now. */
  public int heldLeases() {
    return (int) connections.stream().filter(LeaseConnection::holdsLease).count();
  }

  /**
   * Stops serving: no new connections, the socket file deleted, every connection closed (holders
   * see end-of-stream; their leases are given back). Waits briefly for connection threads; one
   * still inside {@link LeaseService#lease} finishes (and gives back) when that returns.
   * Idempotent. Call it before closing the {@link CoordinatorLock}.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closing) {
        return;
      }
      closing = true;
    }
    closeQuietly(server);
    if (lock.isHeld()) {
      try {
        Files.deleteIfExists(socketFile());
      } catch (IOException e) {
        LOG.debug("Could not delete {}: {}", socketFile(), e.toString());
      }
    } else {
      LOG.warn("The coordinator lock was released before the server closed; {} is left for the "
          + "next coordinator to replace", socketFile());
    }
    connections.forEach(LeaseConnection::close);
    // Not shutdownNow(): an interrupt must not reach the pool's code in lease() or giveBack().
    connectionThreads.shutdown();
    try {
      acceptor.join(CLOSE_GRACE.toMillis());
      if (!connectionThreads.awaitTermination(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.debug("{} coordinator connections still waiting for the pool; they give back when it "
            + "answers", connections.size());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    timer.shutdownNow();
  }

  Duration requestTimeout() {
    return requestTimeout;
  }

  UserPrincipal owner() {
    return owner;
  }

  boolean isClosing() {
    return closing;
  }

  String status() {
    return "protocol=" + WireProtocol.VERSION + " pid=" + ProcessHandle.current().pid()
        + " connections=" + connections() + " leases=" + heldLeases() + " " + status.get();
  }

  void ended(LeaseConnection connection) {
    connections.remove(connection);
  }

  private void acceptLoop() {
    while (!closing) {
      SocketChannel channel;
      ServerSocketChannel listening = server;
      try {
        channel = listening.accept();
      } catch (ClosedChannelException e) {
        if (closing || listening == server) {
          return; // close()
        }
        continue; // rebind(): listen on the new channel
      } catch (IOException | RuntimeException e) {
        if (closing) {
          return;
        }
        // E.g. too many open files: back off, keep serving the connections we have.
        LOG.warn("The coordinator could not accept a connection: {}", e.toString());
        pause();
        continue;
      }
      serve(channel);
    }
  }

  private void serve(SocketChannel channel) {
    LeaseConnection connection =
        new LeaseConnection(this, new LineChannel(channel, timer), service);
    try {
      // Registered before the check of 'closing', which close() sets before it looks here.
      connections.add(connection);
      if (closing) {
        connections.remove(connection);
        connection.close();
        return;
      }
      connectionThreads.execute(connection);
    } catch (RuntimeException | OutOfMemoryError e) {
      connections.remove(connection);
      connection.close();
      LOG.warn("The coordinator could not start a thread for a connection: {}", e.toString());
      pause();
    }
  }

  private static void pause() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  private static void closeQuietly(Closeable closeable) {
    if (closeable != null) {
      try {
        closeable.close();
      } catch (IOException e) {
        // Nothing left to release.
      }
    }
  }
}
