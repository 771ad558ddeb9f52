package io.github.pgisolated.core.internal.engine;

import io.github.pgisolated.core.internal.db.DatabaseClaims;
import io.github.pgisolated.core.internal.embedded.EmbeddedServer;
import io.github.pgisolated.core.internal.server.PostgresServer;
import io.github.pgisolated.core.internal.server.ServerEndpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Instant;

/**
 * Tells whether the server a {@link ServerSession} uses is still the one it started on.
 *
 * <p>The session is over when either the server process is gone or the session that holds this
 * JVM's claims broke (PostgreSQL restarts all its sessions after one backend crashes, for example
 * one the OOM killer took, and every advisory lock goes with them). The embedded server's
 * postmaster is a process this machine can see, so it is checked on every call (a {@code /proc}
 * lookup). Another server is only reachable over TCP: it is probed, with a plain connect, only
 * when the caller has a reason to suspect it (a lease that waits, a failure), never in a loop.
 */
final class ServerWatch {
  private static final int PROBE_TIMEOUT_MILLIS = 1000;

  private final PostgresServer server;
  private final DatabaseClaims claims;
  private volatile String notice;

  ServerWatch(PostgresServer server, DatabaseClaims claims) {
    this.server = server;
    this.claims = claims;
  }

  /** False once the server is found gone; {@code suspicious} allows a TCP probe of a remote server. */
  boolean isRunning(boolean suspicious) {
    ServerEndpoint endpoint = server.endpoint();
    if (server instanceof EmbeddedServer embedded) {
      boolean alive = ProcessHandle.of(embedded.postmasterPid()).map(ProcessHandle::isAlive).orElse(false);
      if (!alive) {
        return gone("The " + endpoint.description() + " died: its postmaster (pid " + embedded.postmasterPid()
            + ") is gone (killed, or out of memory: see the server log " + embedded.serverLog() + ")");
      }
    } else if (suspicious && !accepts(endpoint)) {
      return gone("The PostgreSQL server " + endpoint.description() + " died or is unreachable: " + endpoint.host()
          + ":" + endpoint.port() + " stopped accepting connections");
    }
    if (claims.isLost(suspicious)) {
      return gone("The " + endpoint.description() + " died or restarted: it ended pgisolated's sessions (a crash "
          + "it recovered from, or a restart), and the claims on this JVM's databases with them");
    }
    return true;
  }

  /** What happened, with when, once {@link #isRunning} returned false. */
  String deathNotice() {
    return notice;
  }

  private boolean gone(String what) {
    notice = what + " at " + Instant.now();
    return false;
  }

  private static boolean accepts(ServerEndpoint endpoint) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), PROBE_TIMEOUT_MILLIS);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
