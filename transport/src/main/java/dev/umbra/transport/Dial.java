package dev.umbra.transport;

import dev.umbra.core.net.Conn;
import java.io.IOException;

/** Opens a new carrier to the server (a session transport dials only when it needs a new one). */
@FunctionalInterface
public interface Dial {
  Conn dial() throws IOException;
}
