package dev.umbra.core.sniff;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;

/**
 * Opens a client's Initial packets, datagram by datagram, and feeds their CRYPTO frames to a {@link
 * QuicCryptoStream}. All Initials of one connection attempt share the first packet's version and
 * Destination Connection ID, hence its keys; packets of other kinds (0-RTT, Handshake) coalesced in
 * the same datagram are skipped by their length.
 */
final class QuicInitialReader {
  /** What reading one datagram found. */
  enum Verdict {
    /** At least its leading packet was a client Initial we could open. */
    OPENED,
    /** Nothing in it could be read as a client Initial of this connection. */
    UNREADABLE,
    /**
     * It broke a rule no client breaks (a frame not allowed in Initials, crypto data too large).
     */
    INVALID
  }

  private static final int MAX_CID = 20;

  /** RFC 9000 §7.2: a client's first Destination Connection ID is at least 8 bytes. */
  private static final int MIN_CLIENT_DCID = 8;

  private final QuicCryptoStream crypto = new QuicCryptoStream();
  private QuicVersion version;
  private byte[] dcid;
  private QuicInitialKeys keys;
  private long largestPacketNumber = -1;

  QuicCryptoStream crypto() {
    return crypto;
  }

  Verdict read(ByteBuffer datagram) {
    ByteBuffer b = datagram.duplicate();
    boolean opened = false;
    while (b.hasRemaining()) {
      int start = b.position();
      int first = b.get() & 0xff;
      if ((first & 0x80) == 0 || (first & 0x40) == 0 || b.remaining() < 5) {
        break; // a short header (1-RTT, the rest of the datagram) or not QUIC at all
      }
      QuicVersion v = QuicVersion.of(b.getInt());
      int dcidLen = b.get() & 0xff;
      if (v == null || dcidLen > MAX_CID || b.remaining() < dcidLen + 1) {
        break;
      }
      byte[] packetDcid = new byte[dcidLen];
      b.get(packetDcid);
      int scidLen = b.get() & 0xff;
      if (scidLen > MAX_CID || b.remaining() < scidLen) {
        break;
      }
      b.position(b.position() + scidLen);
      int type = (first >>> 4) & 3;
      if (type == v.initialType) {
        long tokenLen = QuicVarint.read(b);
        if (tokenLen < 0 || tokenLen > b.remaining()) {
          break;
        }
        b.position(b.position() + (int) tokenLen);
      } else if (type != v.zeroRttType && type != v.handshakeType) {
        break; // Retry: a server's packet
      }
      long length = QuicVarint.read(b);
      if (length < 0 || length > b.remaining()) {
        break;
      }
      int pnOffset = b.position();
      int end = pnOffset + (int) length;
      b.position(end);
      if (type != v.initialType) {
        continue;
      }
      if (version == null) {
        if (dcidLen < MIN_CLIENT_DCID) {
          break;
        }
        version = v;
        dcid = packetDcid;
        keys = QuicInitialKeys.client(v, packetDcid);
      } else if (v != version || !Arrays.equals(dcid, packetDcid)) {
        continue; // another connection attempt's packet
      }
      byte[] packet = new byte[end - start];
      b.get(start, packet);
      ByteBuffer payload = open(packet, pnOffset - start);
      if (payload == null) {
        if (!opened && largestPacketNumber < 0) {
          version = null; // the first "Initial" did not authenticate: nothing is established
          dcid = null;
          keys = null;
        }
        break;
      }
      opened = true;
      if (!readFrames(payload)) {
        return Verdict.INVALID;
      }
    }
    return opened ? Verdict.OPENED : Verdict.UNREADABLE;
  }

  /**
   * Removes header protection and decrypts one packet (RFC 9001 §5.3, §5.4); null if it does not
   * authenticate.
   */
  private ByteBuffer open(byte[] packet, int pnOffset) {
    if (pnOffset + 4 + QuicInitialKeys.SAMPLE > packet.length) {
      return null;
    }
    byte[] mask = keys.mask(packet, pnOffset + 4);
    packet[0] ^= (byte) (mask[0] & 0x0f);
    int pnLen = (packet[0] & 3) + 1;
    long truncated = 0;
    for (int i = 0; i < pnLen; i++) {
      packet[pnOffset + i] ^= mask[1 + i];
      truncated = (truncated << 8) | (packet[pnOffset + i] & 0xff);
    }
    int payloadOffset = pnOffset + pnLen;
    if (packet.length - payloadOffset < QuicInitialKeys.TAG || (packet[0] & 0x0c) != 0) {
      return null; // the reserved bits must be zero once unprotected
    }
    long pn = decodePacketNumber(largestPacketNumber, truncated, pnLen * 8);
    try {
      Cipher aead = keys.aead(Cipher.DECRYPT_MODE, pn);
      aead.updateAAD(packet, 0, payloadOffset);
      byte[] plain = aead.doFinal(packet, payloadOffset, packet.length - payloadOffset);
      largestPacketNumber = Math.max(largestPacketNumber, pn);
      return ByteBuffer.wrap(plain);
    } catch (GeneralSecurityException e) {
      return null; // not a client Initial for this connection ID (or altered)
    }
  }

  /** RFC 9000 Appendix A.3. */
  static long decodePacketNumber(long largest, long truncated, int bits) {
    long expected = largest + 1;
    long window = 1L << bits;
    long half = window / 2;
    long candidate = (expected & ~(window - 1)) | truncated;
    if (candidate <= expected - half && candidate < (1L << 62) - window) {
      return candidate + window;
    }
    if (candidate > expected + half && candidate >= window) {
      return candidate - window;
    }
    return candidate;
  }

  /** The frames an Initial may carry (RFC 9000 §12.4); false on any other or a malformed one. */
  private boolean readFrames(ByteBuffer p) {
    while (p.hasRemaining()) {
      long type = QuicVarint.read(p);
      switch ((int) Math.min(type, Integer.MAX_VALUE)) {
        case 0x00, 0x01 -> {} // PADDING, PING
        case 0x02, 0x03 -> {
          if (!skipAck(p, type == 0x03)) {
            return false;
          }
        }
        case 0x06 -> {
          long offset = QuicVarint.read(p);
          long len = QuicVarint.read(p);
          if (offset < 0 || len < 0 || len > p.remaining() || !crypto.add(offset, p, (int) len)) {
            return false;
          }
        }
        case 0x1c -> {
          long code = QuicVarint.read(p);
          long frameType = QuicVarint.read(p);
          long reasonLen = QuicVarint.read(p);
          if (code < 0 || frameType < 0 || reasonLen < 0 || reasonLen > p.remaining()) {
            return false;
          }
          p.position(p.position() + (int) reasonLen);
        }
        default -> {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean skipAck(ByteBuffer p, boolean ecn) {
    long largest = QuicVarint.read(p);
    long delay = QuicVarint.read(p);
    long ranges = QuicVarint.read(p);
    long firstRange = QuicVarint.read(p);
    if (largest < 0 || delay < 0 || ranges < 0 || firstRange < 0 || ranges > p.remaining()) {
      return false;
    }
    for (long i = 0; i < 2 * ranges + (ecn ? 3 : 0); i++) {
      if (QuicVarint.read(p) < 0) {
        return false;
      }
    }
    return true;
  }
}
