package dev.umbra.transport;

import dev.umbra.core.net.Conn;
import java.io.IOException;

/**
 * A client transport that multiplexes many streams over one carrier (HTTP/2, gRPC): it dials (with
 * TLS already applied) only when it has no live session.
 */
public interface SessionClientTransport {
  Conn open(Dial carrier, String server) throws IOException;

  /** Closes the live session (its streams fail) and stops its threads; later opens fail. */
  void close();
}
