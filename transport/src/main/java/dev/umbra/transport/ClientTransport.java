package dev.umbra.transport;

import dev.umbra.core.net.Conn;
import java.io.IOException;

/** The client side of a V2Ray transport: turns a carrier into a stream for the protocol. */
public interface ClientTransport {
  Conn connect(Conn carrier, String server) throws IOException;
}
