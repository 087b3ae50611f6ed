package dev.umbra.proxy.shadowsocks;

import dev.umbra.core.net.Destination;
import dev.umbra.proxy.socks.SocksAddress;
import dev.umbra.proxy.socks.SocksException;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;

/** The SOCKS5-style address Shadowsocks puts in front of every request and datagram. */
final class Addresses {
  private Addresses() {}

  static Destination read(DataInputStream in) throws IOException {
    try {
      return SocksAddress.read(in);
    } catch (SocksException | EOFException e) {
      throw new ShadowsocksException("invalid address header: " + e.getMessage(), e);
    } catch (java.net.UnknownHostException e) {
      throw new ShadowsocksException("invalid address header", e);
    }
  }

  static Destination read(ByteBuffer b) throws ShadowsocksException {
    try {
      return SocksAddress.read(b);
    } catch (SocksException e) {
      throw new ShadowsocksException("invalid address header: " + e.getMessage(), e);
    }
  }
}
