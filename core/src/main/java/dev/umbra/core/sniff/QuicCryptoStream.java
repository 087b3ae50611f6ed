package dev.umbra.core.sniff;

import java.nio.ByteBuffer;
import java.util.BitSet;

/**
 * The client's Initial CRYPTO stream, reassembled from frames that may come in any order, overlap
 * and span several packets and datagrams (Chrome splits and shuffles its ClientHello). Bounded:
 * data beyond {@link #MAX_BYTES} means the ClientHello is too large to sniff.
 */
final class QuicCryptoStream {
  /** Largest ClientHello we reassemble (the same bound as the TLS sniffer). */
  static final int MAX_BYTES = TlsSniffer.MAX_HELLO;

  enum State {
    /** The ClientHello is not yet complete. */
    INCOMPLETE,
    /** The stream holds a complete ClientHello. */
    COMPLETE,
    /** The stream does not begin with a ClientHello, or it is larger than we reassemble. */
    INVALID
  }

  private final byte[] data = new byte[MAX_BYTES];
  private final BitSet have = new BitSet(MAX_BYTES);

  /** Adds {@code length} bytes at stream offset {@code offset}; false if beyond the bound. */
  boolean add(long offset, ByteBuffer from, int length) {
    if (offset < 0 || offset + length > MAX_BYTES) {
      return false;
    }
    from.get(data, (int) offset, length);
    have.set((int) offset, (int) offset + length);
    return true;
  }

  State state() {
    int prefix = have.nextClearBit(0);
    if (prefix < 4) {
      return State.INCOMPLETE;
    }
    if (data[0] != 1) {
      return State.INVALID; // the first handshake message must be a ClientHello
    }
    int need = 4 + (((data[1] & 0xff) << 16) | ((data[2] & 0xff) << 8) | (data[3] & 0xff));
    if (need > MAX_BYTES) {
      return State.INVALID;
    }
    return prefix >= need ? State.COMPLETE : State.INCOMPLETE;
  }

  /** The ClientHello body (after the handshake header); only when {@link #state} is COMPLETE. */
  ByteBuffer helloBody() {
    int len = ((data[1] & 0xff) << 16) | ((data[2] & 0xff) << 8) | (data[3] & 0xff);
    return ByteBuffer.wrap(data, 4, len).slice();
  }
}
