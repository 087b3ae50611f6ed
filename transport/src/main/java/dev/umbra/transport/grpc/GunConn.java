package dev.umbra.transport.grpc;

import dev.umbra.core.net.Conn;
import dev.umbra.transport.StreamConn;
import dev.umbra.transport.h2.H2StreamConn;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A gun stream over one HTTP/2 stream; a malformed message closes that stream (and only it). */
final class GunConn {
  private static final Logger LOG = LoggerFactory.getLogger(GunConn.class);

  private GunConn() {}

  static Conn over(Conn stream) {
    GunReader reader = new GunReader(stream.in());
    InputStream in =
        new InputStream() {
          @Override
          public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            try {
              return reader.read(b, off, len);
            } catch (ProtocolException e) {
              LOG.warn("grpc: {}: {}; closing the stream", stream.remoteAddress(), e.getMessage());
              if (stream instanceof H2StreamConn h) {
                h.abort();
              } else {
                stream.close();
              }
              throw e;
            }
          }
        };
    return new StreamConn(stream, in, new GunWriter(stream.out()), stream::shutdownOutput);
  }
}
