package dev.umbra.proxy.trojan;

import dev.umbra.core.net.Destination;
import dev.umbra.proxy.socks.SocksAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Trojan request codec: {@code hex(SHA224(password)) CRLF cmd SOCKS5-address CRLF}, and the UDP
 * frame {@code SOCKS5-address length CRLF payload}. No I/O.
 */
public final class Trojan {
  public static final int KEY_LENGTH = 56;
  public static final int CONNECT = 1;
  public static final int UDP_ASSOCIATE = 3;

  private Trojan() {}

  /** The 56 ASCII bytes that authenticate {@code password}. */
  public static byte[] key(String password) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-224").digest(password.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d).getBytes(StandardCharsets.US_ASCII);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The whole request header. */
  public static byte[] request(byte[] key, int command, Destination destination) {
    ByteBuffer b = ByteBuffer.allocate(KEY_LENGTH + 2 + 1 + SocksAddress.length(destination) + 2);
    b.put(key).put((byte) '\r').put((byte) '\n').put((byte) command);
    SocksAddress.write(b, destination);
    b.put((byte) '\r').put((byte) '\n');
    return b.array();
  }

  /**
   * Whether byte {@code i} of a request could be {@code b}: the key is lowercase hex, then CRLF.
   * Lets the server tell non-Trojan input (an HTTP request) apart without waiting for 58 bytes.
   */
  public static boolean plausible(int i, byte b) {
    if (i < KEY_LENGTH) {
      return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f');
    }
    return i == KEY_LENGTH ? b == '\r' : b == '\n';
  }

  /** Encodes one UDP frame; {@code out} must have room for the header and payload. */
  public static void writePacket(ByteBuffer out, Destination address, ByteBuffer payload) {
    SocksAddress.write(out, address);
    out.putShort((short) payload.remaining());
    out.put((byte) '\r').put((byte) '\n');
    out.put(payload);
  }
}
