package dev.umbra.wireguard.noise;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The four WireGuard message formats (whitepaper §5.4), bytes in and out with no I/O. Every field
 * is little-endian; the type is one byte followed by three zero bytes.
 */
public final class Messages {
  public static final int TYPE_INITIATION = 1;
  public static final int TYPE_RESPONSE = 2;
  public static final int TYPE_COOKIE_REPLY = 3;
  public static final int TYPE_TRANSPORT = 4;

  public static final int INITIATION_SIZE = 148;
  public static final int RESPONSE_SIZE = 92;
  public static final int COOKIE_REPLY_SIZE = 64;
  public static final int TRANSPORT_HEADER_SIZE = 16;
  public static final int TAG_SIZE = 16;
  public static final int MIN_TRANSPORT_SIZE = TRANSPORT_HEADER_SIZE + TAG_SIZE;

  /** Where mac1 starts: the MAC covers every byte before it. */
  public static final int INITIATION_MAC1_OFFSET = 116;

  public static final int RESPONSE_MAC1_OFFSET = 60;

  private Messages() {}

  /**
   * The message type if {@code len} bytes at {@code off} have a valid header and the exact size
   * (or, for transport data, at least the minimum size) of that type; otherwise -1.
   */
  public static int typeOf(byte[] b, int off, int len) {
    if (len < 4 || b[off + 1] != 0 || b[off + 2] != 0 || b[off + 3] != 0) {
      return -1;
    }
    int type = b[off];
    return switch (type) {
      case TYPE_INITIATION -> len == INITIATION_SIZE ? type : -1;
      case TYPE_RESPONSE -> len == RESPONSE_SIZE ? type : -1;
      case TYPE_COOKIE_REPLY -> len == COOKIE_REPLY_SIZE ? type : -1;
      case TYPE_TRANSPORT -> len >= MIN_TRANSPORT_SIZE ? type : -1;
      default -> -1;
    };
  }

  /** Offset of mac1 in a handshake message of this type. */
  public static int mac1Offset(int type) {
    return switch (type) {
      case TYPE_INITIATION -> INITIATION_MAC1_OFFSET;
      case TYPE_RESPONSE -> RESPONSE_MAC1_OFFSET;
      default -> throw new IllegalArgumentException("no MACs in message type " + type);
    };
  }

  static int le32(byte[] b, int off) {
    return ByteBuffer.wrap(b, off, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
  }

  static long le64(byte[] b, int off) {
    return ByteBuffer.wrap(b, off, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
  }

  static void putLe32(byte[] b, int off, int v) {
    ByteBuffer.wrap(b, off, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(v);
  }

  static void putLe64(byte[] b, int off, long v) {
    ByteBuffer.wrap(b, off, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
  }

  /** Receiver index of a transport or cookie-reply message. */
  public static int receiverIndex(byte[] b, int off) {
    return le32(b, off + 4);
  }

  /** Counter of a transport message. */
  public static long counter(byte[] b, int off) {
    return le64(b, off + 8);
  }

  private static void check(byte[] b, int off, int len, int type) throws WireGuardException {
    if (typeOf(b, off, len) != type) {
      throw new WireGuardException(
          "not a well-formed message of type " + type + " (" + len + " bytes)");
    }
  }

  /** Message 1. mac1 and mac2 are filled in by {@link Macs} after encoding. */
  public record Initiation(
      int sender, byte[] ephemeral, byte[] encryptedStatic, byte[] encryptedTimestamp) {
    public byte[] encode() {
      byte[] b = new byte[INITIATION_SIZE];
      b[0] = TYPE_INITIATION;
      putLe32(b, 4, sender);
      System.arraycopy(ephemeral, 0, b, 8, 32);
      System.arraycopy(encryptedStatic, 0, b, 40, 48);
      System.arraycopy(encryptedTimestamp, 0, b, 88, 28);
      return b;
    }

    public static Initiation decode(byte[] b, int off, int len) throws WireGuardException {
      check(b, off, len, TYPE_INITIATION);
      return new Initiation(
          le32(b, off + 4),
          Arrays.copyOfRange(b, off + 8, off + 40),
          Arrays.copyOfRange(b, off + 40, off + 88),
          Arrays.copyOfRange(b, off + 88, off + 116));
    }
  }

  /** Message 2. */
  public record Response(int sender, int receiver, byte[] ephemeral, byte[] encryptedNothing) {
    public byte[] encode() {
      byte[] b = new byte[RESPONSE_SIZE];
      b[0] = TYPE_RESPONSE;
      putLe32(b, 4, sender);
      putLe32(b, 8, receiver);
      System.arraycopy(ephemeral, 0, b, 12, 32);
      System.arraycopy(encryptedNothing, 0, b, 44, 16);
      return b;
    }

    public static Response decode(byte[] b, int off, int len) throws WireGuardException {
      check(b, off, len, TYPE_RESPONSE);
      return new Response(
          le32(b, off + 4),
          le32(b, off + 8),
          Arrays.copyOfRange(b, off + 12, off + 44),
          Arrays.copyOfRange(b, off + 44, off + 60));
    }
  }

  /** Message 3: an encrypted cookie the initiator must use as its mac2 key. */
  public record CookieReply(int receiver, byte[] nonce, byte[] encryptedCookie) {
    public byte[] encode() {
      byte[] b = new byte[COOKIE_REPLY_SIZE];
      b[0] = TYPE_COOKIE_REPLY;
      putLe32(b, 4, receiver);
      System.arraycopy(nonce, 0, b, 8, 24);
      System.arraycopy(encryptedCookie, 0, b, 32, 32);
      return b;
    }

    public static CookieReply decode(byte[] b, int off, int len) throws WireGuardException {
      check(b, off, len, TYPE_COOKIE_REPLY);
      return new CookieReply(
          le32(b, off + 4),
          Arrays.copyOfRange(b, off + 8, off + 32),
          Arrays.copyOfRange(b, off + 32, off + 64));
    }
  }
}
