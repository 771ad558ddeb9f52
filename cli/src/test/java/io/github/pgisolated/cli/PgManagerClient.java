package io.github.pgisolated.cli;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/** A plain Unix socket client of pgmanager's protocol: connect, send nothing, read the reply. */
final class PgManagerClient implements AutoCloseable {
  final SocketChannel channel;

  private PgManagerClient(SocketChannel channel) {
    this.channel = channel;
  }

  static PgManagerClient connect(Path socket) throws IOException {
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    channel.connect(UnixDomainSocketAddress.of(socket));
    return new PgManagerClient(channel);
  }

  /**
   * Everything the server sent within {@code timeout} of the first byte (or "" if nothing came):
   * the reply has no terminator, so reading until a quiet moment is the only way to see that
   * nothing follows it.
   */
  String read(Duration timeout) throws IOException {
    channel.configureBlocking(false);
    StringBuilder got = new StringBuilder();
    try (Selector selector = Selector.open()) {
      channel.register(selector, SelectionKey.OP_READ);
      long deadline = System.nanoTime() + timeout.toNanos();
      ByteBuffer buffer = ByteBuffer.allocate(1024);
      while (System.nanoTime() - deadline < 0) {
        long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
        if (selector.select(got.length() == 0 ? left : Math.min(left, 300)) == 0) {
          if (got.length() > 0) {
            break;
          }
          continue;
        }
        selector.selectedKeys().clear();
        buffer.clear();
        int n = channel.read(buffer);
        if (n < 0) {
          break;
        }
        got.append(new String(buffer.array(), 0, n, StandardCharsets.UTF_8));
      }
    }
    channel.configureBlocking(true);
    return got.toString();
  }

  /** The database name of an {@code OK:<name>} reply. */
  String lease(Duration timeout) throws IOException {
    String reply = read(timeout);
    if (!reply.startsWith("OK:")) {
      throw new AssertionError("expected OK:<database>, got '" + reply + "'");
    }
    return reply.substring(3);
  }

  /** The database name, read the way pgmanager's own client reads it: one read of up to 1024 bytes. */
  String leaseInOneRead() throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(1024);
    int n = channel.read(buffer);
    String reply = n <= 0 ? "" : new String(buffer.array(), 0, n, StandardCharsets.UTF_8);
    if (!reply.startsWith("OK:")) {
      throw new AssertionError("expected OK:<database>, got '" + reply + "'");
    }
    return reply.substring(3);
  }

  void send(String bytes) throws IOException {
    channel.write(ByteBuffer.wrap(bytes.getBytes(StandardCharsets.UTF_8)));
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
