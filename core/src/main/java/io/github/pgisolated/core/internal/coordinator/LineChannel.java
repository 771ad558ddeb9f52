package io.github.pgisolated.core.internal.coordinator;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.channels.SocketChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Protocol lines over one connected Unix domain socket: reads bounded to {@value
 * WireProtocol#MAX_LINE_BYTES} bytes, with an optional deadline, and whole-line writes.
 *
 * <p><b>Why deadlines work by half-closing.</b> A {@code SocketChannel} for a Unix domain socket
 * has no socket adaptor, so no {@code SO_TIMEOUT}: a blocking read waits forever. A timer task
 * therefore calls {@link SocketChannel#shutdownInput()} when the deadline passes, which wakes the
 * blocked reader with end-of-stream; the reader sees that the deadline fired and throws {@link
 * InterruptedByTimeoutException}. The output stays open, so the server can still answer the slow
 * client with an {@code ERROR} line. The reader and the timer race through one compare-and-set:
 * either the line arrived in time (the deadline is disarmed and cannot fire any more), or the
 * deadline fired and the read counts as timed out even if the line arrived at the same moment;
 * input is never half-closed under a reader that was told it succeeded.
 *
 * <p><b>Bounded.</b> The read buffer is one line long and never grows: a line that does not end
 * within it is a {@link ProtocolException}. Bytes after a line (a client that sends its request
 * and {@code RETURN} in one write) stay in the buffer for the next read.
 *
 * <p><b>Threads.</b> One reader and one writer at a time (they may be different threads);
 * {@link #close()} from any thread, which wakes a blocked reader with an exception.
 */
final class LineChannel implements Closeable {

  private static final int ARMED = 0;
  private static final int DISARMED = 1;
  private static final int FIRED = 2;

  private final SocketChannel channel;
  private final ScheduledExecutorService timer;
  private final ByteBuffer input = ByteBuffer.allocate(WireProtocol.MAX_LINE_BYTES);
  /** How many bytes at the start of {@link #input} are known not to be '\n'. */
  private int scanned;

  LineChannel(SocketChannel channel, ScheduledExecutorService timer) {
    this.channel = channel;
    this.timer = timer;
  }

  /**
   * A timer for read deadlines: one daemon thread; a disarmed deadline leaves its queue at once
   * (a build disarms thousands); after {@code shutdown()} the armed ones still fire.
   */
  static ScheduledExecutorService deadlineTimer(String threadName) {
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, runnable -> {
      Thread thread = new Thread(runnable, threadName);
      thread.setDaemon(true);
      return thread;
    });
    timer.setRemoveOnCancelPolicy(true);
    return timer;
  }

  SocketChannel channel() {
    return channel;
  }

  /**
   * Reads one line, without its {@code \n}.
   *
   * @param timeout how long to wait for the whole line, or {@code null} to wait forever
   * @return the line, or {@code null} at end-of-stream before any byte of a line
   * @throws InterruptedByTimeoutException when the deadline passed (input is then half-closed)
   * @throws ProtocolException ({@code BAD_REQUEST}) for a line too long, cut off by end-of-stream,
   *     or not UTF-8
   */
  String readLine(Duration timeout) throws IOException, ProtocolException {
    if (timeout == null) {
      return readLineBlocking();
    }
    Deadline deadline = new Deadline();
    try {
      deadline.future = timer.schedule(deadline, timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      throw new ClosedChannelException(); // the owner is shutting down
    }
    String line;
    try {
      line = readLineBlocking();
    } catch (IOException | ProtocolException | RuntimeException e) {
      if (!deadline.disarm()) {
        throw timedOut(timeout, e);
      }
      throw e;
    }
    if (!deadline.disarm()) {
      throw timedOut(timeout, null);
    }
    return line;
  }

  void writeLine(String line) throws IOException {
    byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
    if (bytes.length > WireProtocol.MAX_LINE_BYTES) {
      throw new IllegalArgumentException("line of " + bytes.length + " bytes: " + line);
    }
    ByteBuffer output = ByteBuffer.wrap(bytes);
    while (output.hasRemaining()) {
      channel.write(output);
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // Nothing left to release.
    }
  }

  private String readLineBlocking() throws IOException, ProtocolException {
    while (true) {
      for (; scanned < input.position(); scanned++) {
        if (input.get(scanned) == '\n') {
          return takeLine(scanned);
        }
      }
      if (!input.hasRemaining()) {
        throw new ProtocolException(ErrorCode.BAD_REQUEST, "line longer than "
            + WireProtocol.MAX_LINE_BYTES + " bytes (the limit includes the newline)");
      }
      if (channel.read(input) < 0) {
        if (input.position() == 0) {
          return null;
        }
        throw new ProtocolException(ErrorCode.BAD_REQUEST, "the connection was closed in the "
            + "middle of a line (" + input.position() + " bytes without a newline)");
      }
    }
  }

  private String takeLine(int newline) throws ProtocolException {
    byte[] bytes = new byte[newline];
    input.flip();
    input.get(bytes);
    input.get(); // the '\n'
    input.compact();
    scanned = 0;
    try {
      CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "the line is not valid UTF-8");
    }
  }

  private static InterruptedByTimeoutException timedOut(Duration timeout, Exception cause) {
    InterruptedByTimeoutException e = new InterruptedByTimeoutException();
    if (cause != null) {
      e.addSuppressed(cause);
    }
    return e;
  }

  /** Half-closes the input when it fires, unless the reader disarmed it first. */
  private final class Deadline implements Runnable {
    private final AtomicInteger state = new AtomicInteger(ARMED);
    volatile Future<?> future;

    @Override
    public void run() {
      if (state.compareAndSet(ARMED, FIRED)) {
        try {
          channel.shutdownInput();
        } catch (IOException | RuntimeException e) {
          // Closed or never connected: the reader is woken by that instead.
        }
      }
    }

    /** Whether the read finished in time; afterwards the deadline cannot fire. */
    boolean disarm() {
      boolean inTime = state.compareAndSet(ARMED, DISARMED);
      Future<?> scheduled = future;
      if (scheduled != null) {
        scheduled.cancel(false);
      }
      return inTime;
    }
  }
}
