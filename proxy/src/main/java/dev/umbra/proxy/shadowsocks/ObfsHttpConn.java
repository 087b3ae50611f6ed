package dev.umbra.proxy.shadowsocks;

import dev.umbra.core.net.Conn;
import dev.umbra.core.net.LayeredConn;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * simple-obfs "http" client (the obfs-local built into sing-box): the first write goes out as the
 * body of a WebSocket-upgrade GET; the server's 101 response header is skipped on the first read.
 * Everything after that is the raw stream.
 */
final class ObfsHttpConn extends LayeredConn {
  /** Longest response header we accept before the payload. */
  static final int MAX_RESPONSE_HEADER = 8192;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final String host;
  private final String uri;
  private final OutputStream out;
  private final InputStream in;

  ObfsHttpConn(Conn carrier, String host, int port, String uri) {
    super(carrier);
    this.host = port == 80 ? host : host + ":" + port;
    this.uri = uri;
    this.out = new RequestStream();
    this.in = new ResponseStream();
  }

  /** The GET that carries the first payload. */
  static byte[] request(String hostHeader, String uri, int bodyLength) {
    byte[] key = new byte[16];
    RANDOM.nextBytes(key);
    String head =
        "GET "
            + uri
            + " HTTP/1.1\r\n"
            + "Host: "
            + hostHeader
            + "\r\n"
            + "User-Agent: curl/7."
            + RANDOM.nextInt(51)
            + "."
            + RANDOM.nextInt(2)
            + "\r\n"
            + "Upgrade: websocket\r\n"
            + "Connection: Upgrade\r\n"
            + "Sec-WebSocket-Key: "
            + Base64.getEncoder().encodeToString(key)
            + "\r\n"
            + "Content-Length: "
            + bodyLength
            + "\r\n\r\n";
    return head.getBytes(StandardCharsets.US_ASCII);
  }

  private final class RequestStream extends OutputStream {
    private boolean sent;

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
      if (!sent) {
        sent = true;
        byte[] head = request(host, uri, len);
        byte[] joined = new byte[head.length + len];
        System.arraycopy(head, 0, joined, 0, head.length);
        System.arraycopy(b, off, joined, head.length, len);
        carrier.out().write(joined);
        return;
      }
      carrier.out().write(b, off, len);
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void flush() throws IOException {
      carrier.out().flush();
    }
  }

  private final class ResponseStream extends InputStream {
    private boolean skipped;

    private boolean skipHeader() throws IOException {
      if (skipped) {
        return true;
      }
      InputStream raw = carrier.in();
      int matched = 0;
      for (int n = 0; n < MAX_RESPONSE_HEADER; n++) {
        int c = raw.read();
        if (c < 0) {
          if (n == 0) {
            return false;
          }
          throw new ShadowsocksException("obfs server closed inside its response header");
        }
        matched =
            switch (matched) {
              case 0, 2 -> c == '\r' ? matched + 1 : 0;
              case 1, 3 -> c == '\n' ? matched + 1 : (c == '\r' ? 1 : 0);
              default -> 0;
            };
        if (matched == 4) {
          skipped = true;
          return true;
        }
      }
      throw new ShadowsocksException("obfs response header longer than " + MAX_RESPONSE_HEADER);
    }

    @Override
    public int read() throws IOException {
      return skipHeader() ? carrier.in().read() : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return skipHeader() ? carrier.in().read(b, off, len) : -1;
    }
  }

  @Override
  public InputStream in() {
    return in;
  }

  @Override
  public OutputStream out() {
    return out;
  }
}
