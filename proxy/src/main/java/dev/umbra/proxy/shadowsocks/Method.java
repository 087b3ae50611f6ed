package dev.umbra.proxy.shadowsocks;

import java.util.List;

/** A Shadowsocks method: AEAD (SIP004), AEAD-2022 (SIP022) or none. */
public sealed interface Method permits Method.None, Method.Aead, Method.Aead2022 {

  String name();

  /** No encryption: the address header and the payload in the clear (for use inside tunnels). */
  record None(String name) implements Method {}

  /** SIP004 AEAD: key from EVP_BytesToKey(password), per-session subkey by HKDF-SHA1. */
  record Aead(String name, CipherKind kind, int keySize) implements Method {
    public int saltSize() {
      return keySize;
    }
  }

  /** SIP022: base64 PSK of keySize bytes, BLAKE3-derived session subkeys, timestamped headers. */
  record Aead2022(String name, CipherKind kind, int keySize) implements Method {
    public int saltSize() {
      return keySize;
    }

    /** Identity headers (multi-user, relay) exist only for the AES variants. */
    public boolean supportsIdentityHeaders() {
      return kind == CipherKind.AES_GCM;
    }
  }

  List<String> NAMES =
      List.of(
          "none",
          "aes-128-gcm",
          "aes-192-gcm",
          "aes-256-gcm",
          "chacha20-ietf-poly1305",
          "xchacha20-ietf-poly1305",
          "2022-blake3-aes-128-gcm",
          "2022-blake3-aes-256-gcm",
          "2022-blake3-chacha20-poly1305");

  /** The method named {@code name}, or null if there is none by that name. */
  static Method of(String name) {
    return switch (name) {
      case "none", "plain" -> new None(name);
      case "aes-128-gcm" -> new Aead(name, CipherKind.AES_GCM, 16);
      case "aes-192-gcm" -> new Aead(name, CipherKind.AES_GCM, 24);
      case "aes-256-gcm" -> new Aead(name, CipherKind.AES_GCM, 32);
      case "chacha20-ietf-poly1305", "chacha20-poly1305" ->
          new Aead(name, CipherKind.CHACHA20_POLY1305, 32);
      case "xchacha20-ietf-poly1305", "xchacha20-poly1305" ->
          new Aead(name, CipherKind.XCHACHA20_POLY1305, 32);
      case "2022-blake3-aes-128-gcm" -> new Aead2022(name, CipherKind.AES_GCM, 16);
      case "2022-blake3-aes-256-gcm" -> new Aead2022(name, CipherKind.AES_GCM, 32);
      case "2022-blake3-chacha20-poly1305" -> new Aead2022(name, CipherKind.CHACHA20_POLY1305, 32);
      default -> null;
    };
  }
}
