package dev.umbra.tor.cell;

import java.io.IOException;

/** A peer sent something the Tor protocol does not allow; the channel or circuit is closed. */
public class TorProtocolException extends IOException {
  private static final long serialVersionUID = 1L;

  public TorProtocolException(String message) {
    super(message);
  }

  public TorProtocolException(String message, Throwable cause) {
    super(message, cause);
  }
}
