package dev.umbra.proxy.shadowsocks;

import dev.umbra.core.net.Conn;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.locks.ReentrantLock;

/**
 * RFC 6455 WebSocket client over any Conn, carrying a byte stream in binary messages: masked frames
 * out, fragmented and control frames in (ping answered with pong, close answered and ended).
 * Message boundaries carry no meaning here, so frame payloads are streamed, never buffered whole.
 */
final class WebSocketConn implements Conn {
  static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  static final int MAX_RESPONSE_HEADER = 8192;

  /** Largest frame payload we write. */
  static final int MAX_FRAME = 16384;

  static final int OP_CONTINUATION = 0x0;
  static final int OP_TEXT = 0x1;
  static final int OP_BINARY = 0x2;
  static final int OP_CLOSE = 0x8;
  static final int OP_PING = 0x9;
  static final int OP_PONG = 0xA;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Conn carrier;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final OutputStream out = new FrameOutput();
  private final InputStream in = new FrameInput();
  private boolean closeSent;

  private WebSocketConn(Conn carrier) {
    this.carrier = carrier;
  }

  /** Runs the opening handshake for {@code path} with {@code host} as the Host header. */
  static WebSocketConn connect(Conn carrier, String host, String path) throws IOException {
    byte[] nonce = new byte[16];
    RANDOM.nextBytes(nonce);
    String key = Base64.getEncoder().encodeToString(nonce);
    String request =
        "GET "
            + path
            + " HTTP/1.1\r\nHost: "
            + host
            + "\r\nUser-Agent: Go-http-client/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: "
            + key
            + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    carrier.out().write(request.getBytes(StandardCharsets.US_ASCII));
    carrier.out().flush();
    String head = readHead(carrier.in());
    String[] lines = head.split("\r\n", -1);
    String[] status = lines[0].split(" ", 3);
    if (status.length < 2 || !status[1].equals("101")) {
      throw new IOException("websocket server answered '" + lines[0] + "'");
    }
    String accept = null;
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0
          && lines[i]
              .substring(0, colon)
              .trim()
              .toLowerCase(Locale.ROOT)
              .equals("sec-websocket-accept")) {
        accept = lines[i].substring(colon + 1).trim();
      }
    }
    if (!acceptFor(key).equals(accept)) {
      throw new IOException("websocket server sent a wrong Sec-WebSocket-Accept");
    }
    return new WebSocketConn(carrier);
  }

  static String acceptFor(String key) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-1")
              .digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The response head up to the blank line, bounded. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      if (b.size() >= MAX_RESPONSE_HEADER) {
        throw new IOException("websocket response header longer than " + MAX_RESPONSE_HEADER);
      }
      int c = in.read();
      if (c < 0) {
        throw new IOException("websocket server closed during the handshake");
      }
      b.write(c);
      matched = c == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : (c == '\r' ? 1 : 0);
    }
    String s = b.toString(StandardCharsets.ISO_8859_1);
    return s.substring(0, s.length() - 4);
  }

  /** One frame header (client side: always masked) followed by the masked payload. */
  static byte[] frame(int opcode, byte[] b, int off, int len, byte[] mask) {
    int header = 2 + (len < 126 ? 0 : len <= 0xffff ? 2 : 8) + 4;
    byte[] f = new byte[header + len];
    f[0] = (byte) (0x80 | opcode);
    int p = 2;
    if (len < 126) {
      f[1] = (byte) (0x80 | len);
    } else if (len <= 0xffff) {
      f[1] = (byte) (0x80 | 126);
      f[p++] = (byte) (len >>> 8);
      f[p++] = (byte) len;
    } else {
      f[1] = (byte) (0x80 | 127);
      for (int i = 7; i >= 0; i--) {
        f[p++] = (byte) ((long) len >>> (8 * i));
      }
    }
    System.arraycopy(mask, 0, f, p, 4);
    p += 4;
    for (int i = 0; i < len; i++) {
      f[p + i] = (byte) (b[off + i] ^ mask[i & 3]);
    }
    return f;
  }

  private void send(int opcode, byte[] b, int off, int len) throws IOException {
    byte[] mask = new byte[4];
    RANDOM.nextBytes(mask);
    byte[] f = frame(opcode, b, off, len, mask);
    writeLock.lock();
    try {
      if (closeSent) {
        if (opcode == OP_CLOSE || opcode == OP_PONG) {
          return;
        }
        throw new IOException("websocket already closed");
      }
      if (opcode == OP_CLOSE) {
        closeSent = true;
      }
      carrier.out().write(f);
      carrier.out().flush();
    } finally {
      writeLock.unlock();
    }
  }

  private final class FrameOutput extends OutputStream {
    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      while (len > 0) {
        int n = Math.min(len, MAX_FRAME);
        send(OP_BINARY, b, off, n);
        off += n;
        len -= n;
      }
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }
  }

  private final class FrameInput extends InputStream {
    private long remaining;
    private boolean ended;

    private int u8() throws IOException {
      int c = carrier.in().read();
      if (c < 0) {
        throw new ShadowsocksException("websocket server closed inside a frame header");
      }
      return c;
    }

    /** Reads frame headers until data is due; false once the server closed. */
    private boolean nextData() throws IOException {
      while (remaining == 0) {
        if (ended) {
          return false;
        }
        int b0 = carrier.in().read();
        if (b0 < 0) {
          ended = true; // closed without a close frame
          return false;
        }
        int b1 = u8();
        if ((b0 & 0x70) != 0) {
          throw new ShadowsocksException("websocket frame with reserved bits set");
        }
        if ((b1 & 0x80) != 0) {
          throw new ShadowsocksException("websocket server sent a masked frame");
        }
        int opcode = b0 & 0x0f;
        long len = b1 & 0x7f;
        if (len == 126) {
          len = ((long) u8() << 8) | u8();
        } else if (len == 127) {
          len = 0;
          for (int i = 0; i < 8; i++) {
            len = (len << 8) | u8();
          }
          if (len < 0) {
            throw new ShadowsocksException("websocket frame length out of range");
          }
        }
        switch (opcode) {
          case OP_CONTINUATION, OP_BINARY, OP_TEXT -> remaining = len;
          case OP_PING, OP_PONG, OP_CLOSE -> {
            if (len > 125 || (b0 & 0x80) == 0) {
              throw new ShadowsocksException("websocket control frame too long or fragmented");
            }
            byte[] payload = carrier.in().readNBytes((int) len);
            if (payload.length < len) {
              throw new ShadowsocksException("websocket server closed inside a control frame");
            }
            if (opcode == OP_PING) {
              send(OP_PONG, payload, 0, payload.length);
            } else if (opcode == OP_CLOSE) {
              ended = true;
              // Echo the status code, as RFC 6455 §5.5.1 asks.
              send(OP_CLOSE, payload, 0, Math.min(2, payload.length));
              return false;
            }
          }
          default -> throw new ShadowsocksException("websocket opcode " + opcode);
        }
      }
      return true;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (!nextData()) {
        return -1;
      }
      int n = carrier.in().read(b, off, (int) Math.min(len, remaining));
      if (n < 0) {
        throw new ShadowsocksException("websocket server closed inside a frame");
      }
      remaining -= n;
      return n;
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

  /** A WebSocket has no half-close: the close frame would end both directions. */
  @Override
  public void shutdownOutput() {}

  @Override
  public void setReadTimeout(int millis) throws IOException {
    carrier.setReadTimeout(millis);
  }

  @Override
  public SocketAddress localAddress() {
    return carrier.localAddress();
  }

  @Override
  public SocketAddress remoteAddress() {
    return carrier.remoteAddress();
  }

  @Override
  public void close() throws IOException {
    // A writer blocked on a stalled peer holds the lock: then skip the close frame.
    if (writeLock.tryLock()) {
      try {
        send(OP_CLOSE, new byte[] {0x03, (byte) 0xe8}, 0, 2); // 1000 normal closure
      } catch (IOException ignored) {
        // the carrier may already be gone
      } finally {
        writeLock.unlock();
      }
    }
    carrier.close();
  }
}
