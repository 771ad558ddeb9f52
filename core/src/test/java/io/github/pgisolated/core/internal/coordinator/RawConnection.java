package io.github.pgisolated.core.internal.coordinator;

import java.io.IOException;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** A test client that speaks bytes, not the protocol: for requests no real client would send. */
final class RawConnection implements AutoCloseable {

  static final Duration REPLY = Duration.ofSeconds(10);
  private static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "raw-connection-deadlines");
        thread.setDaemon(true);
        return thread;
      });

  private final SocketChannel channel;
  private final LineChannel lines;

  private RawConnection(SocketChannel channel) {
    this.channel = channel;
    this.lines = new LineChannel(channel, TIMER);
  }

  static RawConnection open(Path socket) throws IOException {
    return new RawConnection(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
  }

  void send(String text) throws IOException {
    send(text.getBytes(StandardCharsets.UTF_8));
  }

  void send(byte[] bytes) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  /** The next line, or null at end-of-stream; fails after {@link #REPLY}. */
  String readLine() throws Exception {
    return lines.readLine(REPLY);
  }

  String readLine(Duration timeout) throws Exception {
    return lines.readLine(timeout);
  }

  /**
   * Whether the server closed the connection: end-of-stream, or a reset (Linux reports a reset
   * when the server closed with bytes of ours unread, as after an oversized line).
   */
  boolean isClosedByServer() throws Exception {
    try {
      return readLine() == null;
    } catch (SocketException e) {
      return e.getMessage().contains("reset");
    }
  }

  /** Sends a LEASE request for {@link FakeLeaseService#HASH} and returns the reply. */
  String lease() throws Exception {
    send("PGISOLATED 1 LEASE " + FakeLeaseService.HASH + " 5000 4711 raw client\n");
    return readLine();
  }

  void shutdownOutput() throws IOException {
    channel.shutdownOutput();
  }

  @Override
  public void close() {
    lines.close();
  }
}
