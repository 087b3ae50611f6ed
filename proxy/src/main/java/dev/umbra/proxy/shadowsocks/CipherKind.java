package dev.umbra.proxy.shadowsocks;

/** The AEAD constructions Shadowsocks uses, all with 16-byte tags. */
public enum CipherKind {
  AES_GCM(12),
  CHACHA20_POLY1305(12),
  XCHACHA20_POLY1305(24);

  private final int nonceSize;

  CipherKind(int nonceSize) {
    this.nonceSize = nonceSize;
  }

  public int nonceSize() {
    return nonceSize;
  }
}
