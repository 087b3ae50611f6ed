package dev.umbra.wireguard.noise;

import java.net.ProtocolException;

/** A WireGuard message that is malformed, fails authentication, or arrives out of turn. */
public final class WireGuardException extends ProtocolException {
  public WireGuardException(String message) {
    super(message);
  }
}
