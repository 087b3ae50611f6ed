package dev.umbra.tor.cell;

import java.nio.ByteBuffer;

/**
 * The conflux relay messages (prop 329, tor-spec "conflux"): CONFLUX_LINK and CONFLUX_LINKED share
 * one body (version 1: a 32-byte nonce naming the set, the last sequence numbers sent and received,
 * and the sender's desired UX), CONFLUX_LINKED_ACK is empty and CONFLUX_SWITCH carries a 32-bit
 * relative sequence number. Bytes in and out only.
 */
public final class Conflux {
  public static final int VERSION = 1;
  public static final int NONCE_LEN = 32;
  static final int LINK_LEN = 1 + NONCE_LEN + 8 + 8 + 1;

  /** Desired UX values (the sender's wish for how the other end schedules its sending). */
  public static final int UX_NO_OPINION = 0;

  public static final int UX_MIN_LATENCY = 1;
  public static final int UX_LOW_MEM_LATENCY = 2;
  public static final int UX_HIGH_THROUGHPUT = 3;
  public static final int UX_LOW_MEM_THROUGHPUT = 4;

  private Conflux() {}

  /** The body of a CONFLUX_LINK or CONFLUX_LINKED message, version 1. */
  @SuppressWarnings("ArrayRecordComponent")
  public record Link(byte[] nonce, long lastSeqSent, long lastSeqRecv, int desiredUx) {
    public Link {
      if (nonce.length != NONCE_LEN) {
        throw new IllegalArgumentException("conflux nonce must be 32 bytes");
      }
      if (desiredUx < 0 || desiredUx > UX_LOW_MEM_THROUGHPUT) {
        throw new IllegalArgumentException("unknown conflux UX " + desiredUx);
      }
      nonce = nonce.clone();
    }

    @Override
    public byte[] nonce() {
      return nonce.clone();
    }

    public byte[] encode() {
      ByteBuffer b = ByteBuffer.allocate(LINK_LEN);
      b.put((byte) VERSION).put(nonce).putLong(lastSeqSent).putLong(lastSeqRecv);
      b.put((byte) desiredUx);
      return b.array();
    }

    /**
     * Decodes a LINK/LINKED body; trailing bytes are tolerated (later versions may add fields), an
     * unknown version, a short body or an unknown UX value is refused.
     */
    public static Link decode(byte[] body) throws TorProtocolException {
      if (body.length < 1) {
        throw new TorProtocolException("empty conflux link message");
      }
      if ((body[0] & 0xFF) != VERSION) {
        throw new TorProtocolException("conflux link version " + (body[0] & 0xFF));
      }
      if (body.length < LINK_LEN) {
        throw new TorProtocolException("conflux link message of " + body.length + " bytes");
      }
      ByteBuffer b = ByteBuffer.wrap(body, 1, LINK_LEN - 1);
      byte[] nonce = new byte[NONCE_LEN];
      b.get(nonce);
      long sent = b.getLong();
      long recv = b.getLong();
      int ux = b.get() & 0xFF;
      if (ux > UX_LOW_MEM_THROUGHPUT) {
        throw new TorProtocolException("unknown conflux UX " + ux);
      }
      if (sent < 0 || recv < 0) {
        throw new TorProtocolException("conflux sequence number beyond 2^63");
      }
      return new Link(nonce, sent, recv, ux);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Link l
          && java.util.Arrays.equals(l.nonce, nonce)
          && l.lastSeqSent == lastSeqSent
          && l.lastSeqRecv == lastSeqRecv
          && l.desiredUx == desiredUx;
    }

    @Override
    public int hashCode() {
      return java.util.Arrays.hashCode(nonce) * 31 + Long.hashCode(lastSeqSent ^ lastSeqRecv);
    }

    @Override
    public String toString() {
      // the nonce links the legs of one set: never printed
      return "Link[sent=" + lastSeqSent + ", recv=" + lastSeqRecv + ", ux=" + desiredUx + "]";
    }
  }

  /** The body of CONFLUX_SWITCH: the relative sequence number as an unsigned 32-bit value. */
  public static byte[] switchBody(long relativeSeq) {
    if (relativeSeq < 0 || relativeSeq > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("relative sequence number out of range: " + relativeSeq);
    }
    return ByteBuffer.allocate(4).putInt((int) relativeSeq).array();
  }

  /** The relative sequence number of a CONFLUX_SWITCH body (longer bodies: C tor before 0.4.9). */
  public static long switchSeq(byte[] body) throws TorProtocolException {
    if (body.length < 4) {
      throw new TorProtocolException("conflux switch message of " + body.length + " bytes");
    }
    return ByteBuffer.wrap(body, 0, 4).getInt() & 0xFFFF_FFFFL;
  }
}
