package io.github.pgisolated.core.internal.coordinator;

import io.github.pgisolated.core.UnableToLeaseDatabaseException;
import io.github.pgisolated.core.internal.coordinator.LeaseService.Lease;
import io.github.pgisolated.core.internal.coordinator.WireProtocol.LeaseRequest;
import io.github.pgisolated.core.internal.coordinator.WireProtocol.ReclaimRequest;
import io.github.pgisolated.core.internal.coordinator.WireProtocol.Request;
import io.github.pgisolated.core.internal.coordinator.WireProtocol.StatusRequest;
import java.io.IOException;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's side of one connection, run on a thread of its own: checks the peer's user, reads
 * and validates the request line (with a deadline), answers it, and for a lease holds the
 * connection until {@code RETURN}, end-of-stream, garbage or server shutdown.
 *
 * <p><b>The invariant:</b> every path after the service handed out a lease ends in exactly one
 * {@link LeaseService#giveBack}: {@code RETURN} gives back <em>before</em> answering {@code
 * RETURNED} (so a client that saw {@code RETURNED} knows the database is back), and every other
 * way out, normal or exceptional, gives back in {@code finally}. A lease obtained for a client that
 * has gone away in the meantime is given back as soon as writing {@code LEASED} fails or the next
 * read sees end-of-stream.
 *
 * <p>Nothing a client sends can stop the server: every failure ends this connection only.
 */
final class LeaseConnection implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(LeaseConnection.class);

  private final LeaseSocketServer server;
  private final LineChannel lines;
  private final LeaseService service;
  private volatile Lease held;

  LeaseConnection(LeaseSocketServer server, LineChannel lines, LeaseService service) {
    this.server = server;
    this.lines = lines;
    this.service = service;
  }

  /** Whether this connection holds a lease right now. */
  boolean holdsLease() {
    return held != null;
  }

  /** Closes the channel; a thread blocked on it wakes and ends (giving back what it holds). */
  void close() {
    lines.close();
  }

  @Override
  public void run() {
    try {
      serve();
    } catch (IOException e) {
      LOG.debug("Coordinator connection ended: {}", e.toString());
    } catch (RuntimeException e) {
      LOG.warn("Unexpected failure on a coordinator connection; the server goes on", e);
    } finally {
      lines.close();
      server.ended(this);
    }
  }

  private void serve() throws IOException {
    String peerProblem = peerProblem();
    Request request;
    try {
      String line = lines.readLine(server.requestTimeout());
      if (line == null) {
        return; // connected and closed without a word: nothing to answer
      }
      if (peerProblem != null) {
        answer(ErrorCode.FORBIDDEN, peerProblem);
        return;
      }
      request = WireProtocol.parseRequest(line);
    } catch (InterruptedByTimeoutException e) {
      answer(peerProblem != null ? ErrorCode.FORBIDDEN : ErrorCode.BAD_REQUEST,
          peerProblem != null ? peerProblem : "no complete request line within "
              + server.requestTimeout().toMillis() + " ms");
      return;
    } catch (ProtocolException e) {
      answer(peerProblem != null ? ErrorCode.FORBIDDEN : e.code(),
          peerProblem != null ? peerProblem : e.getMessage());
      return;
    }
    if (request instanceof StatusRequest) {
      answerStatus();
      return;
    }
    if (server.isClosing()) {
      answer(ErrorCode.UNAVAILABLE, "the coordinator is shutting down; elect a new one and retry");
      return;
    }
    Lease lease;
    try {
      lease = call(request);
    } catch (UnableToLeaseDatabaseException e) {
      answer(ErrorCode.TIMEOUT, e.getMessage());
      return;
    } catch (LeaseRefusedException e) {
      answer(ErrorCode.REFUSED, e.getMessage());
      return;
    } catch (CoordinatorUnavailableException e) {
      answer(ErrorCode.UNAVAILABLE, e.getMessage());
      return;
    } catch (RuntimeException e) {
      LOG.warn("The coordinator's pool failed on {}", request, e);
      answer(ErrorCode.INTERNAL, e.getClass().getSimpleName() + ": " + e.getMessage());
      return;
    }
    if (lease == null) {
      answer(ErrorCode.INTERNAL, "the coordinator's pool returned no lease");
      return;
    }
    hold(lease);
  }

  private Lease call(Request request) {
    if (request instanceof LeaseRequest lease) {
      return service.lease(lease.templateHash(), Duration.ofMillis(lease.timeoutMillis()),
          lease.holder());
    }
    ReclaimRequest reclaim = (ReclaimRequest) request;
    return service.reclaim(reclaim.database(), reclaim.holder());
  }

  /** From {@code LEASED} on: exactly one give-back, whatever happens. */
  private void hold(Lease lease) throws IOException {
    held = lease;
    boolean givenBack = false;
    try {
      String leased;
      try {
        leased = WireProtocol.leasedLine(lease);
      } catch (ProtocolException e) {
        answer(e.code(), e.getMessage());
        return;
      }
      lines.writeLine(leased);
      String line;
      try {
        line = lines.readLine(null);
      } catch (ProtocolException e) {
        answer(ErrorCode.BAD_REQUEST, e.getMessage() + "; the lease is given back");
        return;
      }
      if (line == null) {
        return; // end-of-stream: the holder closed or died
      }
      LeaseService.Disposition disposition = WireProtocol.parseReturn(line);
      if (disposition != null) {
        givenBack = true;
        giveBack(lease, disposition);
        lines.writeLine(WireProtocol.RETURNED);
        return;
      }
      answer(ErrorCode.BAD_REQUEST, "only RETURN [UNCHANGED|KEPT] is valid while a lease is held, not "
          + ProtocolText.preview(line) + "; the lease is given back");
    } finally {
      held = null;
      if (!givenBack) {
        giveBack(lease);
      }
    }
  }

  private void giveBack(Lease lease) {
    giveBack(lease, LeaseService.Disposition.DIRTY);
  }

  private void giveBack(Lease lease, LeaseService.Disposition disposition) {
    try {
      service.giveBack(lease, disposition);
    } catch (RuntimeException e) {
      LOG.warn("The coordinator's pool failed to take back {}", lease, e);
    }
  }

  private void answerStatus() throws IOException {
    String status;
    try {
      status = server.status();
    } catch (RuntimeException e) {
      LOG.warn("The coordinator's status failed", e);
      answer(ErrorCode.INTERNAL, "status failed: " + e);
      return;
    }
    lines.writeLine(WireProtocol.statusLine(status));
  }

  private void answer(ErrorCode code, String message) throws IOException {
    lines.writeLine(WireProtocol.errorLine(code, message));
  }

  /**
   * Why the peer may not use this coordinator, or {@code null} if it may. Checked before the
   * request is looked at, answered after it is read (so that the client, which writes first,
   * never meets a closed socket).
   */
  private String peerProblem() throws IOException {
    UnixDomainPrincipal peer;
    try {
      peer = lines.channel().getOption(ExtendedSocketOptions.SO_PEERCRED);
    } catch (UnsupportedOperationException e) {
      return null; // no peer credentials here: the directory's 0700 is the only guard
    }
    UserPrincipal owner = server.owner();
    if (peer.user().equals(owner)) {
      return null;
    }
    return "this coordinator serves user " + owner.getName() + " only, and this connection "
        + "comes from user " + peer.user().getName() + ". Each OS user has a coordinator of its "
        + "own, in its own directory (" + CoordinatorDirectory.CONFIG_KEY + ")";
  }
}
