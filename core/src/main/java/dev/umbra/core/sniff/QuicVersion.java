package dev.umbra.core.sniff;

import java.util.HexFormat;

/**
 * The QUIC versions whose Initial packets can be read without any secret: each has its own initial
 * salt, HKDF labels and long-header type bits (RFC 9001 §5.2, RFC 9369 §3).
 */
enum QuicVersion {
  V1(0x00000001, "38762cf7f55934b34d179ae6a4c80cadccbb7f0a", "quic", 0, 1, 2),
  V2(0x6b3343cf, "0dede3def700a6db819381be6e269dcbf9bd2ed9", "quicv2", 1, 2, 3);

  /** The version field. */
  final int number;

  /** The initial salt for HKDF-Extract over the client's Destination Connection ID. */
  private final String saltHex;

  /** "quic" or "quicv2", put before " key", " iv", " hp". */
  final String labelPrefix;

  /** The two long-header type bits of an Initial, a 0-RTT and a Handshake packet. */
  final int initialType;

  final int zeroRttType;
  final int handshakeType;

  QuicVersion(
      int number,
      String saltHex,
      String labelPrefix,
      int initialType,
      int zeroRttType,
      int handshakeType) {
    this.number = number;
    this.saltHex = saltHex;
    this.labelPrefix = labelPrefix;
    this.initialType = initialType;
    this.zeroRttType = zeroRttType;
    this.handshakeType = handshakeType;
  }

  byte[] salt() {
    return HexFormat.of().parseHex(saltHex);
  }

  /** The version with this number, or null if its Initial packets are unknown to us. */
  static QuicVersion of(int number) {
    for (QuicVersion v : values()) {
      if (v.number == number) {
        return v;
      }
    }
    return null;
  }
}
