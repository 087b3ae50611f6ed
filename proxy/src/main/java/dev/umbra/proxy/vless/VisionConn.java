package dev.umbra.proxy.vless;

import dev.umbra.core.net.Conn;
import dev.umbra.tls.TlsConn;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.net.SocketAddress;
import java.security.SecureRandom;

/**
 * A VLESS stream with XTLS Vision over the outer TLS connection it runs directly on. Each direction
 * pads, then either stays inside the outer TLS ({@code end}) or switches to direct copy: the writer
 * detaches the TLS output after its {@code direct} block, the reader the TLS input after the
 * peer's, and from there that direction is the raw carrier, with no outer TLS cost. The two
 * directions switch independently; both share one {@link VisionFilter}.
 */
final class VisionConn implements Conn {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final TlsConn tls;
  private final VisionInputStream in;
  private final VisionOutputStream out;

  private VisionConn(TlsConn tls, byte[] uuid, byte[] prefix, boolean client) {
    this.tls = tls;
    VisionFilter filter = new VisionFilter();
    this.in =
        new VisionInputStream(
            new WithinRecord(tls),
            tls.in(),
            () -> tls.detachInput().stream(),
            uuid,
            filter,
            client);
    this.out =
        new VisionOutputStream(
            tls.out(),
            () -> tls.detachOutput().out(),
            new VisionEncoder(uuid, filter, RANDOM),
            prefix);
  }

  /**
   * The client side: sends the request header and an empty padded block at once (Xray's client does
   * so when it has no first data), reads the response header before the server's blocks.
   */
  static VisionConn client(Conn c, byte[] uuid, byte[] request) throws IOException {
    VisionConn v = new VisionConn(outerTls(c), uuid, request, true);
    v.out.writeEmpty();
    v.out.flush();
    return v;
  }

  /** The server side: the response header goes out with the first padded block. */
  static VisionConn server(Conn c, byte[] uuid, byte[] response) throws IOException {
    return new VisionConn(outerTls(c), uuid, response, false);
  }

  /** As Xray: Vision runs directly on TLS 1.3 (the raw inner records then look like it). */
  private static TlsConn outerTls(Conn c) throws ProtocolException {
    if (!(c instanceof TlsConn t)) {
      throw new ProtocolException("flow " + Flow.VISION + " runs directly over TLS only");
    }
    if (!t.protocolVersion().equals("TLSv1.3")) {
      throw new ProtocolException(
          "failed to use " + Flow.VISION + ", found outer TLS version " + t.protocolVersion());
    }
    return t;
  }

  /** Whether the reading direction switched to direct copy. */
  boolean readingDirect() {
    return in.direct();
  }

  /** Whether the writing direction switched to direct copy. */
  boolean writingDirect() {
    return out.direct();
  }

  @Override
  public InputStream in() {
    return in;
  }

  @Override
  public OutputStream out() {
    return out;
  }

  /** Half-close: close_notify while inside TLS, a plain half-close of the carrier once direct. */
  @Override
  public void shutdownOutput() throws IOException {
    out.writePrefix();
    out.flush();
    tls.shutdownOutput();
  }

  @Override
  public void setReadTimeout(int millis) throws IOException {
    tls.setReadTimeout(millis);
  }

  @Override
  public SocketAddress localAddress() {
    return tls.localAddress();
  }

  @Override
  public SocketAddress remoteAddress() {
    return tls.remoteAddress();
  }

  @Override
  public void close() throws IOException {
    tls.close();
  }

  @Override
  public String toString() {
    return "vision over " + tls.remoteAddress();
  }

  /** The outer TLS read one record at most at a time (see TlsConn#readWithinRecord). */
  private static final class WithinRecord extends InputStream {
    private final TlsConn tls;

    WithinRecord(TlsConn tls) {
      this.tls = tls;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return tls.readWithinRecord(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return tls.readWithinRecord(b, off, len);
    }
  }
}
