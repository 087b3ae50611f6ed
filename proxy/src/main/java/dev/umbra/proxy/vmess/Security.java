package dev.umbra.proxy.vmess;

import dev.umbra.core.config.ConfigException;

/** VMess body security, with its header code. */
public enum Security {
  AES_128_GCM(3),
  CHACHA20_POLY1305(4),
  NONE(5),
  /** "zero": sent as none without chunk stream; a raw stream after the header. */
  ZERO(6);

  private final int code;

  Security(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** From the config's {@code security}; "auto" is AES-128-GCM (AES instructions on x86/ARM64). */
  public static Security fromConfig(String name, String path) {
    if (name == null || name.isEmpty() || name.equals("auto")) {
      return AES_128_GCM;
    }
    return switch (name) {
      case "aes-128-gcm" -> AES_128_GCM;
      case "chacha20-poly1305" -> CHACHA20_POLY1305;
      case "none" -> NONE;
      case "zero" -> ZERO;
      case "aes-128-ctr", "aes-128-cfb", "legacy" ->
          throw new ConfigException(path, "legacy security '" + name + "' is not supported");
      default -> throw new ConfigException(path, "unknown security '" + name + "'");
    };
  }

  /** From a request header's code; null if unknown. */
  public static Security fromCode(int code) {
    for (Security s : values()) {
      if (s.code == code) {
        return s;
      }
    }
    return null;
  }

  public boolean aead() {
    return this == AES_128_GCM || this == CHACHA20_POLY1305;
  }
}
