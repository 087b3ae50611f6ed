package dev.umbra.dns.message;

import java.io.IOException;

/** A DNS message that could not be read or breaks one of our limits; only that message is lost. */
public final class DnsFormatException extends IOException {
  public DnsFormatException(String message) {
    super(message);
  }

  public DnsFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
