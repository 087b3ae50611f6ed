package dev.umbra.proxy.shadowsocks;

import dev.umbra.core.net.Conn;
import dev.umbra.core.net.LayeredConn;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * simple-obfs "tls" client (sing-box's obfs-local with obfs=tls): the first write travels as the
 * session ticket of a TLS 1.2 ClientHello, later writes as application-data records. The server's
 * fake ServerHello and ChangeCipherSpec are skipped; every record after the ChangeCipherSpec
 * carries payload.
 */
final class ObfsTlsConn extends LayeredConn {
  /** Largest payload in the ClientHello's ticket; the rest of a big first write follows. */
  static final int MAX_HELLO_PAYLOAD = 8192;

  /** Largest application-data record we write. */
  static final int MAX_RECORD_PAYLOAD = 16384;

  /** Largest record we accept from the server (TLS's limit for ciphertext). */
  static final int MAX_SERVER_RECORD = 16384 + 2048;

  private static final SecureRandom RANDOM = new SecureRandom();

  private static final byte[] CIPHER_SUITES = {
    (byte) 0xc0,
    0x2c,
    (byte) 0xc0,
    0x30,
    0x00,
    (byte) 0x9f,
    (byte) 0xcc,
    (byte) 0xa9,
    (byte) 0xcc,
    (byte) 0xa8,
    (byte) 0xcc,
    (byte) 0xaa,
    (byte) 0xc0,
    0x2b,
    (byte) 0xc0,
    0x2f,
    0x00,
    (byte) 0x9e,
    (byte) 0xc0,
    0x24,
    (byte) 0xc0,
    0x28,
    0x00,
    0x6b,
    (byte) 0xc0,
    0x23,
    (byte) 0xc0,
    0x27,
    0x00,
    0x67,
    (byte) 0xc0,
    0x0a,
    (byte) 0xc0,
    0x14,
    0x00,
    0x39,
    (byte) 0xc0,
    0x09,
    (byte) 0xc0,
    0x13,
    0x00,
    0x33,
    0x00,
    (byte) 0x9d,
    0x00,
    (byte) 0x9c,
    0x00,
    0x3d,
    0x00,
    0x3c,
    0x00,
    0x35,
    0x00,
    0x2f,
    0x00,
    (byte) 0xff
  };

  /** ec_point_formats, supported_groups, signature_algorithms, encrypt_then_mac, EMS. */
  private static final byte[] OTHER_EXTENSIONS = {
    0x00, 0x0b, 0x00, 0x04, 0x03, 0x01, 0x00, 0x02, 0x00, 0x0a, 0x00, 0x0a, 0x00, 0x08, 0x00, 0x1d,
    0x00, 0x17, 0x00, 0x19, 0x00, 0x18, 0x00, 0x0d, 0x00, 0x20, 0x00, 0x1e, 0x06, 0x01, 0x06, 0x02,
    0x06, 0x03, 0x05, 0x01, 0x05, 0x02, 0x05, 0x03, 0x04, 0x01, 0x04, 0x02, 0x04, 0x03, 0x03, 0x01,
    0x03, 0x02, 0x03, 0x03, 0x02, 0x01, 0x02, 0x02, 0x02, 0x03, 0x00, 0x16, 0x00, 0x00, 0x00, 0x17,
    0x00, 0x00
  };

  private final byte[] host;
  private final OutputStream out = new RecordOutput();
  private final InputStream in = new RecordInput();

  ObfsTlsConn(Conn carrier, String host) {
    super(carrier);
    this.host = host.getBytes(StandardCharsets.US_ASCII);
  }

  /** The ClientHello record whose session-ticket extension holds {@code payload}. */
  static byte[] clientHello(byte[] host, byte[] payload, int off, int len) {
    int sni = 9 + host.length;
    int extensions = 4 + len + sni + OTHER_EXTENSIONS.length;
    int total = 5 + 4 + 2 + 32 + 1 + 32 + 2 + CIPHER_SUITES.length + 2 + 2 + extensions;
    byte[] b = new byte[total];
    Writer w = new Writer(b);
    w.u8(0x16).u16(0x0301).u16(total - 5);
    w.u8(0x01).u8(0).u16(total - 9).u16(0x0303);
    w.u32((int) (System.currentTimeMillis() / 1000));
    w.random(28);
    w.u8(32).random(32);
    w.u16(CIPHER_SUITES.length).bytes(CIPHER_SUITES, 0, CIPHER_SUITES.length);
    w.u8(1).u8(0);
    w.u16(extensions);
    w.u16(0x0023).u16(len).bytes(payload, off, len);
    w.u16(0x0000).u16(host.length + 5).u16(host.length + 3).u8(0).u16(host.length);
    w.bytes(host, 0, host.length);
    w.bytes(OTHER_EXTENSIONS, 0, OTHER_EXTENSIONS.length);
    return b;
  }

  private static final class Writer {
    private final byte[] b;
    private int p;

    Writer(byte[] b) {
      this.b = b;
    }

    Writer u8(int v) {
      b[p++] = (byte) v;
      return this;
    }

    Writer u16(int v) {
      return u8(v >>> 8).u8(v);
    }

    Writer u32(int v) {
      return u16(v >>> 16).u16(v);
    }

    Writer random(int n) {
      byte[] r = new byte[n];
      RANDOM.nextBytes(r);
      return bytes(r, 0, n);
    }

    Writer bytes(byte[] src, int off, int len) {
      System.arraycopy(src, off, b, p, len);
      p += len;
      return this;
    }
  }

  private final class RecordOutput extends OutputStream {
    private boolean helloSent;

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
      if (!helloSent && len > 0) {
        helloSent = true;
        int n = Math.min(len, MAX_HELLO_PAYLOAD);
        carrier.out().write(clientHello(host, b, off, n));
        off += n;
        len -= n;
      }
      while (len > 0) {
        int n = Math.min(len, MAX_RECORD_PAYLOAD);
        byte[] record = new byte[5 + n];
        record[0] = 0x17;
        record[1] = 0x03;
        record[2] = 0x03;
        record[3] = (byte) (n >>> 8);
        record[4] = (byte) n;
        System.arraycopy(b, off, record, 5, n);
        carrier.out().write(record);
        off += n;
        len -= n;
      }
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

  private final class RecordInput extends InputStream {
    private boolean afterChangeCipherSpec;
    private int remaining;

    /** Moves to the next payload record; false at a clean end of stream between records. */
    private boolean nextRecord() throws IOException {
      while (remaining == 0) {
        byte[] h = new byte[5];
        int first = carrier.in().read(h, 0, 1);
        if (first < 0) {
          return false;
        }
        byte[] rest = new byte[4];
        if (!ServerHandshake.readFully(carrier.in(), rest)) {
          throw new ShadowsocksException("obfs server closed inside a record header");
        }
        System.arraycopy(rest, 0, h, 1, 4);
        int type = h[0] & 0xff;
        int length = ((h[3] & 0xff) << 8) | (h[4] & 0xff);
        if (h[1] != 0x03 || length > MAX_SERVER_RECORD) {
          throw new ShadowsocksException("obfs server sent a malformed TLS record");
        }
        if (afterChangeCipherSpec) {
          if (type != 0x17 && type != 0x16) {
            throw new ShadowsocksException("obfs server sent a TLS record of type " + type);
          }
          remaining = length;
        } else {
          if (type == 0x14) {
            afterChangeCipherSpec = true;
          } else if (type != 0x16) {
            throw new ShadowsocksException("obfs server sent a TLS record of type " + type);
          }
          carrier.in().skipNBytes(length);
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
      if (!nextRecord()) {
        return -1;
      }
      int n = carrier.in().read(b, off, Math.min(len, remaining));
      if (n < 0) {
        throw new ShadowsocksException("obfs server closed inside a record");
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
}
