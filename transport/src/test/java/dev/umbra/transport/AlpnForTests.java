package dev.umbra.transport;

import dev.umbra.tls.TlsOptions;

/** Test access to the ALPN defaults. */
public final class AlpnForTests {
  private AlpnForTests() {}

  public static TlsOptions h2(TlsOptions o) {
    return Alpn.client(o);
  }
}
