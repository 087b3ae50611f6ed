package dev.umbra.proxy.socks;

import java.io.IOException;

/** A peer broke the SOCKS protocol. */
public final class SocksException extends IOException {
  private static final long serialVersionUID = 1L;

  public SocksException(String message) {
    super(message);
  }
}
