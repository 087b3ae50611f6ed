package dev.umbra.proxy.shadowsocks;

import dev.umbra.core.net.Destination;
import dev.umbra.proxy.socks.SocksAddress;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Method {@code none}: the address header in the clear, then the payload as is. */
final class NoneServerHandshake implements ServerHandshake {
  @Override
  public ServerRequest accept(InputStream in, OutputStream out) throws IOException {
    Destination d = Addresses.read(new DataInputStream(in));
    return new ServerRequest(in, out, d, null);
  }

  static byte[] header(Destination d) {
    return SocksAddress.encode(d);
  }
}
