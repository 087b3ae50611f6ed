package dev.umbra.transport;

import dev.umbra.core.net.Conn;
import java.io.IOException;

/** The server side of a V2Ray transport: accepts a carrier and yields the protocol's stream. */
public interface ServerTransport {
  Conn accept(Conn carrier) throws IOException;
}
