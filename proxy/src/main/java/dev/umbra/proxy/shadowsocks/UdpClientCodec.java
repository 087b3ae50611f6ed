package dev.umbra.proxy.shadowsocks;

import dev.umbra.core.net.Destination;
import java.nio.ByteBuffer;

/** Client side of a Shadowsocks UDP method: seals requests, opens replies. No I/O. */
interface UdpClientCodec {
  byte[] seal(Destination to, ByteBuffer payload);

  /** Opens a reply into {@code into}; returns where it came from. */
  Destination open(byte[] packet, int len, ByteBuffer into) throws ShadowsocksException;
}
