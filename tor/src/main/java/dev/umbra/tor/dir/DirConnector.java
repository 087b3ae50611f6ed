package dev.umbra.tor.dir;

import dev.umbra.core.net.Conn;
import dev.umbra.tor.channel.Channel;
import dev.umbra.tor.circuit.Circuit;
import dev.umbra.tor.circuit.HopSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;

/** Opens a byte stream for one HTTP directory request to a {@link DirServer}. */
@FunctionalInterface
public interface DirConnector {
  Conn open(DirServer server, Duration timeout) throws IOException;

  /**
   * A fresh TLS channel and one-hop circuit per request (ntor when the relay's key is known,
   * CREATE_FAST otherwise) with a BEGIN_DIR stream; or a TCP connection to a DirPort. Closing the
   * stream closes the circuit and the channel.
   */
  DirConnector DIRECT =
      (server, timeout) -> {
        if (!server.beginDir()) {
          Socket s = new Socket();
          try {
            s.connect(server.dirPort(), (int) timeout.toMillis());
            s.setSoTimeout((int) timeout.toMillis());
          } catch (IOException e) {
            s.close();
            throw e;
          }
          return new Closing(s.getInputStream(), s.getOutputStream(), s, null, null);
        }
        Channel ch = Channel.open(server.orPort(), timeout);
        Circuit c = null;
        try {
          c =
              server.ntorOnionKey() == null
                  ? Circuit.createFast(ch, timeout)
                  : Circuit.create(
                      ch, new HopSpec(server.orPort(), server.ntorOnionKey()), timeout);
          Conn stream = c.openDirStream(timeout);
          stream.setReadTimeout((int) timeout.toMillis());
          return new Closing(stream.in(), stream.out(), stream, c, ch);
        } catch (IOException | RuntimeException e) {
          if (c != null) {
            c.close();
          }
          ch.close();
          throw e;
        }
      };

  /** A stream that closes what carries it. */
  record Closing(
      InputStream in, OutputStream out, AutoCloseable stream, Circuit circuit, Channel channel)
      implements Conn {
    @Override
    public void shutdownOutput() {}

    @Override
    public void close() throws IOException {
      try {
        stream.close();
      } catch (Exception e) {
        // closing anyway
      } finally {
        if (circuit != null) {
          circuit.close();
        }
        if (channel != null) {
          channel.close();
        }
      }
    }
  }
}
