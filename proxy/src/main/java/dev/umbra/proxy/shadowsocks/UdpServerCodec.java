package dev.umbra.proxy.shadowsocks;

import dev.umbra.core.net.Destination;
import java.nio.ByteBuffer;

/** Server side of a Shadowsocks UDP method: opens client datagrams, seals replies. No I/O. */
interface UdpServerCodec {

  /** A datagram opened: who sent it, where it goes, its payload, and how to answer it. */
  record Incoming(
      Object session, String user, Destination destination, ByteBuffer payload, Replier replier) {}

  /** Seals replies for one client session. */
  interface Replier {
    /** The datagram to send to the client for {@code payload} coming from {@code source}. */
    byte[] seal(Destination source, ByteBuffer payload);
  }

  /**
   * Opens one datagram. {@link Incoming#session} identifies the client's session beyond its address
   * (SIP022 session ids), or is null.
   *
   * @throws ShadowsocksException if it does not authenticate or is malformed or replayed
   */
  Incoming open(byte[] packet, int len) throws ShadowsocksException;
}
