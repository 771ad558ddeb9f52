package io.github.pgisolated.core.internal.coordinator;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * Run as another OS user by {@link OtherUserTests}: tries to lease through a coordinator socket
 * and prints what happened. Deliberately uses nothing but the JDK (and no nested classes), because
 * it runs from a copy of this one class file: the other user cannot read the test classpath.
 *
 * <pre>
 *   CONNECT_FAILED &lt;exception&gt;   could not connect
 *   REPLY &lt;line&gt;                  the coordinator's answer ("REPLY " alone: it closed)
 * </pre>
 */
public final class OtherUserProbe {

  private OtherUserProbe() {}

  public static void main(String[] args) throws IOException {
    SocketChannel channel;
    try {
      channel = SocketChannel.open(UnixDomainSocketAddress.of(args[0]));
    } catch (IOException e) {
      System.out.println("CONNECT_FAILED " + e);
      return;
    }
    try (channel) {
      String request = "PGISOLATED 1 LEASE 0123456789abcdef 1000 "
          + ProcessHandle.current().pid() + " intruder\n";
      channel.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8)));
      ByteBuffer reply = ByteBuffer.allocate(1024);
      while (reply.hasRemaining() && channel.read(reply) >= 0) {
        if (reply.get(reply.position() - 1) == '\n') {
          break;
        }
      }
      reply.flip();
      System.out.println("REPLY " + StandardCharsets.UTF_8.decode(reply).toString().trim());
    }
  }
}
