package dev.umbra.core.net;

import java.io.IOException;

/**
 * How a server answers input it cannot authenticate without telling a prober anything: no reply and
 * no early close; read and discard until the client quits or the connection's read timeout ends,
 * then close.
 */
public final class Drain {
  private Drain() {}

  public static void andClose(Conn conn) throws IOException {
    byte[] sink = new byte[4096];
    try {
      while (conn.in().read(sink) >= 0) {
        // discard
      }
    } catch (IOException e) {
      // timed out or gone
    } finally {
      conn.close();
    }
  }
}
