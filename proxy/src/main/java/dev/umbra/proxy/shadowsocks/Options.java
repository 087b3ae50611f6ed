package dev.umbra.proxy.shadowsocks;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.net.Network;
import java.util.EnumSet;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/** Checks shared by the inbound and outbound options. */
final class Options {
  private Options() {}

  static Method method(String path, String name) {
    if (name == null || name.isEmpty()) {
      throw new ConfigException(JsonPaths.field(path, "method"), "missing method");
    }
    Method m = Method.of(name);
    if (m == null) {
      throw new ConfigException(
          JsonPaths.field(path, "method"),
          "unknown method '" + name + "'; expected one of " + Method.NAMES);
    }
    return m;
  }

  /** The master key(s) a password stands for under {@code method}; errors name {@code path}. */
  static byte[] key(Method method, String password, String path) {
    return switch (method) {
      case Method.None n -> new byte[0];
      case Method.Aead a -> {
        if (password == null || password.isEmpty()) {
          throw new ConfigException(path, "missing password");
        }
        yield Kdf.evpBytesToKey(password, a.keySize());
      }
      case Method.Aead2022 a -> psk2022(a, password, path);
    };
  }

  /** An outbound's SIP022 key list: {@code iPSK:...:uPSK}, the last being the user's PSK. */
  static java.util.List<byte[]> psks2022(Method.Aead2022 m, String password, String path) {
    if (password == null || password.isEmpty()) {
      throw new ConfigException(path, "missing password (base64 key of " + m.keySize() + " bytes)");
    }
    String[] parts = password.split(":", -1);
    if (parts.length > 1 && !m.supportsIdentityHeaders()) {
      throw new ConfigException(path, m.name() + " has no identity headers: give one key only");
    }
    java.util.List<byte[]> keys = new java.util.ArrayList<>();
    for (String part : parts) {
      keys.add(psk2022(m, part, path));
    }
    return java.util.List.copyOf(keys);
  }

  /** A SIP022 PSK: base64 of exactly the method's key size. */
  static byte[] psk2022(Method.Aead2022 m, String password, String path) {
    if (password == null || password.isEmpty()) {
      throw new ConfigException(path, "missing password (base64 key of " + m.keySize() + " bytes)");
    }
    byte[] k;
    try {
      k = java.util.Base64.getDecoder().decode(password);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(path, "the password of " + m.name() + " must be base64");
    }
    if (k.length != m.keySize()) {
      throw new ConfigException(
          path,
          m.name() + " needs a " + m.keySize() + "-byte key in base64, got " + k.length + " bytes");
    }
    return k;
  }

  static Set<Network> networks(String path, String network) {
    if (network == null || network.isEmpty()) {
      return EnumSet.of(Network.TCP, Network.UDP);
    }
    return switch (network) {
      case "tcp" -> EnumSet.of(Network.TCP);
      case "udp" -> EnumSet.of(Network.UDP);
      default ->
          throw new ConfigException(
              JsonPaths.field(path, "network"), "expected 'tcp' or 'udp', got '" + network + "'");
    };
  }

  /**
   * The UoT version {@code udp_over_tcp} asks for: 0 when off, else 1 or 2 ({@code true} or a
   * version of 0 means 2, as in sing-box).
   */
  static int udpOverTcp(String path, JsonNode v) {
    String at = JsonPaths.field(path, "udp_over_tcp");
    if (v == null || v.isNull()) {
      return 0;
    }
    if (v.isBoolean()) {
      return v.booleanValue() ? 2 : 0;
    }
    if (!v.isObject()) {
      throw new ConfigException(at, "expected true, false or an object");
    }
    for (var name : v.propertyNames()) {
      if (!name.equals("enabled") && !name.equals("version")) {
        throw new ConfigException(at + "." + name, "unknown field '" + name + "'");
      }
    }
    JsonNode enabled = v.path("enabled");
    if (!enabled.isMissingNode() && !enabled.isBoolean()) {
      throw new ConfigException(at + ".enabled", "expected true or false");
    }
    if (!enabled.asBoolean(false)) {
      return 0;
    }
    JsonNode version = v.path("version");
    if (version.isMissingNode() || version.isNull()) {
      return 2;
    }
    if (!version.isInt() || version.intValue() < 0 || version.intValue() > 2) {
      throw new ConfigException(at + ".version", "expected 1 or 2, got " + version);
    }
    return version.intValue() == 0 ? 2 : version.intValue();
  }
}
