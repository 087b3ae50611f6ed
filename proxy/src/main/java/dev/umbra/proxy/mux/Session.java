package dev.umbra.proxy.mux;

import dev.umbra.core.net.Conn;
import java.io.Closeable;
import java.io.IOException;

/** One multiplexed session over one carrier, whichever sing-mux protocol runs it. */
sealed interface Session extends Closeable permits MuxSession, H2MuxSession {
  /** Opens a stream to the peer (client side). */
  Conn open() throws IOException;

  /** Waits for a stream the peer opened (server side); IOException once the session is closed. */
  Conn accept() throws IOException;

  /** Streams open now (for choosing the least-loaded session). */
  int numStreams();

  boolean isClosed();

  /**
   * Whether another stream may be opened now (open, and under the stream limit: sing-mux's
   * CanTakeNewRequest); a session that cannot is passed over, not closed.
   */
  boolean canTakeNewStream();

  /**
   * Closes the carrier and fails every stream; returns once the threads this session started have
   * ended (bounded).
   */
  @Override
  void close();
}
