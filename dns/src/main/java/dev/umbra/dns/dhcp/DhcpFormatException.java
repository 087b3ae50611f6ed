package dev.umbra.dns.dhcp;

import java.io.IOException;

/** A DHCP datagram that could not be read or is not the answer we wait for; only it is dropped. */
public final class DhcpFormatException extends IOException {
  public DhcpFormatException(String message) {
    super(message);
  }
}
