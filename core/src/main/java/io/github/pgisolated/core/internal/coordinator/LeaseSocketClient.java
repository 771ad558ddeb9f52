package io.github.pgisolated.core.internal.coordinator;

import io.github.pgisolated.core.internal.coordinator.LeaseService.Disposition;

import io.github.pgisolated.core.UnableToLeaseDatabaseException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link LeaseService} in a JVM that is not the coordinator: speaks wire protocol v1 ({@code
 * docs/protocol.md}) to the coordinator's {@link LeaseSocketServer}.
 *
 * <p><b>A lease is a connection.</b> Every {@link #lease}/{@link #reclaim} opens a connection of
 * its own and, when it succeeds, keeps it open (in a map keyed by database name) for as long as
 * the lease is held; {@link #giveBack} sends {@code RETURN}, waits briefly for {@code RETURNED}
 * and closes it. If this JVM dies, the operating system closes the connections and the
 * coordinator takes the databases back.
 *
 * <p><b>Losing the coordinator.</b> A daemon thread per held lease (from a cached pool) blocks
 * reading its connection.
 * End-of-stream (or any reply) there while the lease is still held means the coordinator is gone:
 * the lease leaves the map and every {@link #onLost} listener is told, on that thread, so that
 * the orchestrator can re-elect and {@link #reclaim} it. Whoever removes a lease from the map
 * decides its fate, so a lease being given back is never reported lost, nor a lost one returned.
 *
 * <p>Errors: {@code TIMEOUT} and {@code INTERNAL} become {@link UnableToLeaseDatabaseException};
 * {@code REFUSED}, {@code BAD_REQUEST}, {@code FORBIDDEN} and {@code UNSUPPORTED_VERSION} become
 * {@link LeaseRefusedException}; no connection, no reply and {@code UNAVAILABLE} become {@link
 * CoordinatorUnavailableException}. Thread-safe.
 */
public final class LeaseSocketClient implements LeaseService, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LeaseSocketClient.class);

  /** Added to a lease's timeout for the reply: the coordinator answers TIMEOUT well before. */
  static final Duration REPLY_MARGIN = Duration.ofSeconds(10);
  /** For RECLAIM and STATUS, which never wait for a clone. */
  static final Duration QUICK_REPLY_TIMEOUT = Duration.ofSeconds(30);
  /** For RETURNED; without it the connection is closed, which gives the lease back too. */
  static final Duration RETURNED_TIMEOUT = Duration.ofSeconds(5);
  private static final AtomicLong WATCHER_NUMBERS = new AtomicLong();

  private final CoordinatorDirectory directory;
  private final Duration replyMargin;
  private final Map<String, HeldLease> held = new ConcurrentHashMap<>();
  private final List<Consumer<Lease>> lostListeners = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService timer =
      LineChannel.deadlineTimer("pgisolated-lease-client-deadlines");
  /** Watches held leases; pooled because starting a thread costs more than a lease. */
  private final ExecutorService watchers = Executors.newCachedThreadPool(runnable -> daemon(
      "pgisolated-lease-watcher-" + WATCHER_NUMBERS.incrementAndGet()).newThread(runnable));
  private volatile boolean closed;

  public LeaseSocketClient(CoordinatorDirectory directory) {
    this(directory, REPLY_MARGIN);
  }

  /** Tests shorten the margin. */
  LeaseSocketClient(CoordinatorDirectory directory, Duration replyMargin) {
    this.directory = directory;
    this.replyMargin = replyMargin;
  }

  @Override
  public Lease lease(String templateHash, Duration timeout, Holder holder) {
    throwIfInvalid(WireProtocol.templateHashProblem(templateHash));
    long millis = Math.max(1, timeout.toMillis());
    if (millis > WireProtocol.MAX_TIMEOUT_MILLIS) {
      throw new LeaseRefusedException("A lease timeout of " + timeout + " is longer than the "
          + "coordinator protocol allows (" + WireProtocol.MAX_TIMEOUT_MILLIS + " ms).");
    }
    Lease lease = request(WireProtocol.leaseRequest(templateHash, millis, holder),
        Duration.ofMillis(millis).plus(replyMargin), "lease a clone of template " + templateHash);
    throwIfNotAsked(lease, lease.templateHash().equals(templateHash));
    return lease;
  }

  @Override
  public Lease reclaim(String database, Holder holder) {
    throwIfInvalid(WireProtocol.databaseProblem(database));
    Lease lease = request(WireProtocol.reclaimRequest(database, holder), QUICK_REPLY_TIMEOUT,
        "re-claim " + database);
    throwIfNotAsked(lease, lease.database().equals(database));
    return lease;
  }

  /**
   * Gives {@code lease} back: {@code RETURN}, then {@code RETURNED} (the coordinator has taken it
   * back) or at most {@link #RETURNED_TIMEOUT}, then the connection is closed. A lease this client
   * does not hold (given back already, lost, or another generation) is ignored; after a re-claim,
   * give back the lease {@link #reclaim} returned.
   */
  @Override
  public void giveBack(Lease lease) {
    giveBack(lease, Disposition.DIRTY);
  }

  @Override
  public void giveBack(Lease lease, Disposition disposition) {
    HeldLease holding = held.get(lease.database());
    if (holding == null || !holding.lease.equals(lease)
        || !held.remove(lease.database(), holding)) {
      LOG.debug("Ignoring the give-back of {}: not held through this client", lease);
      return;
    }
    holding.giveBack(disposition);
  }

  /** {@code listener} is told, on a daemon thread, of each lease lost with its coordinator. */
  public void onLost(Consumer<Lease> listener) {
    lostListeners.add(listener);
  }

  /** The coordinator's {@code STATUS} line, without the word {@code STATUS}. */
  public String status() {
    throwIfClosed();
    try (LineChannel channel = connect()) {
      String reply = exchange(channel, WireProtocol.statusRequest(), QUICK_REPLY_TIMEOUT,
          "report its status");
      if (WireProtocol.isError(reply)) {
        throw mapped(WireProtocol.parseError(reply), "report its status");
      }
      if (reply.equals(WireProtocol.STATUS) || reply.startsWith(WireProtocol.STATUS + " ")) {
        int body = Math.min(reply.length(), WireProtocol.STATUS.length() + 1);
        return ProtocolText.unescape(reply.substring(body));
      }
      throw malformed(reply, "report its status");
    }
  }

  /** Leases held through this client now. */
  public int heldLeases() {
    return held.size();
  }

  /**
   * The coordinator went away (one of its connections ended): closes every connection, and each
   * lease still held is reported to the {@link #onLost} listeners by its own watcher, as if its
   * connection had ended on its own. Without this, leases whose end-of-stream arrives after the
   * first one's (a coordinator that steps down closes its connections one by one) would be
   * dropped unreported, and never re-claimed.
   */
  public void abandon() {
    closed = true;
    held.values().forEach(holding -> holding.channel.close());
    timer.shutdown();
    watchers.shutdown(); // each reports its lease as its read fails, then ends
  }

  /** Closes every connection (the coordinator takes those leases back); no listener is told. */
  @Override
  public void close() {
    closed = true;
    held.forEach((database, holding) -> {
      if (held.remove(database, holding)) {
        holding.channel.close();
      }
    });
    timer.shutdown(); // requests still waiting for a reply keep their deadlines
    watchers.shutdown(); // each ends as its connection closes
  }

  private Lease request(String line, Duration replyTimeout, String what) {
    throwIfClosed();
    LineChannel channel = connect();
    boolean kept = false;
    try {
      String reply = exchange(channel, line, replyTimeout, what);
      if (WireProtocol.isError(reply)) {
        throw mapped(WireProtocol.parseError(reply), what);
      }
      Lease lease;
      try {
        lease = WireProtocol.parseLeased(reply);
      } catch (ProtocolException e) {
        throw malformed(reply, what);
      }
      HeldLease holding = new HeldLease(lease, channel);
      if (held.putIfAbsent(lease.database(), holding) != null) {
        throw new UnableToLeaseDatabaseException("The coordinator at " + directory.socketFile()
            + " handed out " + lease.database() + ", which this JVM already holds; the new "
            + "lease is given back. This is a bug in pgisolated's coordinator.");
      }
      kept = true;
      try {
        if (closed) {
          throw new RejectedExecutionException();
        }
        watchers.execute(holding::watchConnection);
      } catch (RejectedExecutionException e) {
        if (held.remove(lease.database(), holding)) {
          channel.close(); // close() ran meanwhile and did not see this one
        }
        throw new IllegalStateException("The lease client for " + directory + " is closed");
      }
      return lease;
    } finally {
      if (!kept) {
        channel.close();
      }
    }
  }

  private LineChannel connect() {
    SocketChannel channel = null;
    try {
      channel = SocketChannel.open(StandardProtocolFamily.UNIX);
      channel.connect(UnixDomainSocketAddress.of(directory.socketFile()));
      return new LineChannel(channel, timer);
    } catch (IOException e) {
      if (channel != null) {
        new LineChannel(channel, timer).close();
      }
      throw new CoordinatorUnavailableException("Could not reach the pgisolated coordinator at "
          + directory.socketFile() + ": " + e + ". It may have just exited; elect a new one and "
          + "retry.", e);
    }
  }

  /** Sends the request line and reads the reply line. */
  private String exchange(LineChannel channel, String line, Duration replyTimeout, String what) {
    IOException writeFailure = null;
    Duration timeout = replyTimeout;
    try {
      channel.writeLine(line);
    } catch (IOException e) {
      // The server may have answered and closed before it read the request: read that answer.
      writeFailure = e;
      timeout = Duration.ofSeconds(1);
    }
    try {
      String reply = channel.readLine(timeout);
      if (reply == null) {
        throw unavailable("closed the connection before it answered", what, writeFailure);
      }
      return reply;
    } catch (InterruptedByTimeoutException e) {
      throw unavailable(writeFailure == null ? "did not answer within " + timeout.toMillis()
          + " ms" : "did not take the request", what, writeFailure);
    } catch (IOException e) {
      throw unavailable("broke the connection (" + e + ")", what, e);
    } catch (ProtocolException e) {
      throw new UnableToLeaseDatabaseException("The pgisolated coordinator at "
          + directory.socketFile() + " sent a reply that is not protocol " + WireProtocol.VERSION
          + " when asked to " + what + ": " + e.getMessage());
    }
  }

  private RuntimeException mapped(ProtocolException error, String what) {
    String context = "The pgisolated coordinator at " + directory.socketFile() + " could not "
        + what + " (" + error.code() + "): " + error.getMessage();
    return switch (error.code()) {
      case TIMEOUT -> new UnableToLeaseDatabaseException(error.getMessage());
      case REFUSED -> new LeaseRefusedException(error.getMessage());
      case BAD_REQUEST, FORBIDDEN, UNSUPPORTED_VERSION -> new LeaseRefusedException(context);
      case UNAVAILABLE -> new CoordinatorUnavailableException(context);
      case INTERNAL -> new UnableToLeaseDatabaseException(context);
    };
  }

  private CoordinatorUnavailableException unavailable(String problem, String what,
      Exception cause) {
    return new CoordinatorUnavailableException("The pgisolated coordinator at "
        + directory.socketFile() + " " + problem + " when asked to " + what + "; it may have "
        + "exited: elect a new one and retry.", cause);
  }

  private UnableToLeaseDatabaseException malformed(String reply, String what) {
    return new UnableToLeaseDatabaseException("The pgisolated coordinator at "
        + directory.socketFile() + " answered " + ProtocolText.preview(reply) + " when asked to "
        + what + ", which is not a protocol " + WireProtocol.VERSION + " reply.");
  }

  private void throwIfNotAsked(Lease lease, boolean asked) {
    if (!asked) {
      giveBack(lease);
      throw new UnableToLeaseDatabaseException("The pgisolated coordinator at "
          + directory.socketFile() + " answered with " + lease + ", which is not what was asked "
          + "for; it is given back.");
    }
  }

  private static void throwIfInvalid(String problem) {
    if (problem != null) {
      throw new LeaseRefusedException(problem);
    }
  }

  private static ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  private void throwIfClosed() {
    if (closed) {
      throw new IllegalStateException("The lease client for " + directory + " is closed");
    }
  }

  private void lost(Lease lease, String how) {
    LOG.info("Lost the connection to the pgisolated coordinator at {} while holding {} ({})",
        directory.socketFile(), lease.database(), how);
    for (Consumer<Lease> listener : lostListeners) {
      try {
        listener.accept(lease);
      } catch (RuntimeException e) {
        LOG.warn("A listener failed on the loss of {}", lease, e);
      }
    }
  }

  /** One held lease: its connection and the thread that watches it. */
  private final class HeldLease {
    final Lease lease;
    final LineChannel channel;
    /** What the watcher read once the lease left the map: "RETURNED", or null. */
    final CompletableFuture<String> ended = new CompletableFuture<>();

    HeldLease(Lease lease, LineChannel channel) {
      this.lease = lease;
      this.channel = channel;
    }

    void watchConnection() {
      String line = null;
      String how;
      try {
        line = channel.readLine(null);
        how = line == null ? "end of stream" : "it sent " + ProtocolText.preview(line);
      } catch (IOException | ProtocolException e) {
        how = e.toString();
      }
      if (held.remove(lease.database(), this)) {
        channel.close();
        lost(lease, how);
      }
      ended.complete(line);
    }

    void giveBack(Disposition disposition) {
      try {
        channel.writeLine(WireProtocol.returnLine(disposition));
        String answer = ended.get(RETURNED_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (!WireProtocol.RETURNED.equals(answer)) {
          LOG.debug("No RETURNED for {} ({}); closing gives it back", lease.database(), answer);
        }
      } catch (IOException | ExecutionException | TimeoutException e) {
        LOG.debug("No RETURNED for {} ({}); closing gives it back", lease.database(), e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        channel.close();
      }
    }
  }
}
