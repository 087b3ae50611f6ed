package dev.umbra.transport;

import dev.umbra.core.net.Conn;
import java.io.IOException;

/**
 * A server transport that accepts many streams on one carrier: serves it until it ends, handing
 * each stream to {@code handler} on its own thread.
 */
public interface SessionServerTransport {
  void serve(Conn carrier, String alpn, StreamHandler handler) throws IOException;
}
