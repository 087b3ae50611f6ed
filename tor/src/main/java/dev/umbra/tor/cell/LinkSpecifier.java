package dev.umbra.tor.cell;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;

/** EXTEND2 link specifiers: how the next relay is named and reached. */
public final class LinkSpecifier {
  private LinkSpecifier() {}

  /**
   * The EXTEND2 body: link specifiers (IPv4+port, RSA identity, Ed25519 identity if known), then
   * HTYPE|HLEN|HDATA.
   */
  public static byte[] extend2(
      InetAddress address, int port, byte[] rsaId, byte[] edId, int htype, byte[] hdata) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    byte[] ip = address.getAddress();
    int n = 2 + (edId != null ? 1 : 0);
    b.write(n);
    b.write(ip.length == 4 ? 0 : 1);
    b.write(ip.length + 2);
    b.writeBytes(ip);
    b.write(port >>> 8);
    b.write(port);
    b.write(2);
    b.write(20);
    b.writeBytes(rsaId);
    if (edId != null) {
      b.write(3);
      b.write(32);
      b.writeBytes(edId);
    }
    b.writeBytes(Create2.body(htype, hdata));
    return b.toByteArray();
  }
}
