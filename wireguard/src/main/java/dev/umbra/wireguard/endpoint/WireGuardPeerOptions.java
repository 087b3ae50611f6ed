package dev.umbra.wireguard.endpoint;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.config.Validated;
import dev.umbra.netstack.IpPrefix;
import dev.umbra.wireguard.noise.StaticIdentity;
import java.util.Base64;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * One element of the endpoint's {@code peers}: where it is ({@code address} may be a domain,
 * resolved at start), its keys, the prefixes routed to it, keepalive seconds, and the three {@code
 * reserved} header bytes (a JSON array of numbers, or base64 as Go's []uint8 also reads).
 */
public record WireGuardPeerOptions(
    String address,
    Integer port,
    String publicKey,
    String preSharedKey,
    List<String> allowedIps,
    Integer persistentKeepaliveInterval,
    JsonNode reserved)
    implements Validated {

  @Override
  public void validate(String path) {
    if (publicKey == null || publicKey.isEmpty()) {
      throw new ConfigException(JsonPaths.field(path, "public_key"), "missing peer public key");
    }
    key(path, "public_key", publicKey);
    if (preSharedKey != null && !preSharedKey.isEmpty()) {
      key(path, "pre_shared_key", preSharedKey);
    }
    if (allowedIps == null || allowedIps.isEmpty()) {
      throw new ConfigException(JsonPaths.field(path, "allowed_ips"), "missing allowed ips");
    }
    for (int i = 0; i < allowedIps.size(); i++) {
      prefix(JsonPaths.index(JsonPaths.field(path, "allowed_ips"), i), allowedIps.get(i));
    }
    if (port != null && (port < 0 || port > 65535)) {
      throw new ConfigException(JsonPaths.field(path, "port"), "expected a port, got " + port);
    }
    if (persistentKeepaliveInterval != null
        && (persistentKeepaliveInterval < 0 || persistentKeepaliveInterval > 65535)) {
      throw new ConfigException(
          JsonPaths.field(path, "persistent_keepalive_interval"),
          "expected 0-65535 seconds, got " + persistentKeepaliveInterval);
    }
    reservedBytes(path);
    if (address != null && !address.isEmpty() && (port == null || port == 0)) {
      throw new ConfigException(JsonPaths.field(path, "port"), "missing port for the peer address");
    }
  }

  static byte[] key(String path, String field, String base64) {
    try {
      return StaticIdentity.decodeKey(base64);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(JsonPaths.field(path, field), e.getMessage());
    }
  }

  static IpPrefix prefix(String path, String text) {
    try {
      return IpPrefix.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(path, e.getMessage());
    }
  }

  /** The three reserved bytes, or null when absent or all zero. */
  byte[] reservedBytes(String path) {
    if (reserved == null || reserved.isNull()) {
      return null;
    }
    String at = JsonPaths.field(path, "reserved");
    byte[] b;
    if (reserved.isString()) {
      try {
        b = Base64.getDecoder().decode(reserved.stringValue());
      } catch (IllegalArgumentException e) {
        throw new ConfigException(at, "expected 3 bytes as an array or base64");
      }
    } else if (reserved.isArray()) {
      b = new byte[reserved.size()];
      for (int i = 0; i < b.length; i++) {
        JsonNode n = reserved.get(i);
        if (!n.isIntegralNumber() || n.intValue() < 0 || n.intValue() > 255) {
          throw new ConfigException(JsonPaths.index(at, i), "expected a byte 0-255, got " + n);
        }
        b[i] = (byte) n.intValue();
      }
    } else {
      throw new ConfigException(at, "expected 3 bytes as an array or base64");
    }
    if (b.length == 0) {
      return null;
    }
    if (b.length != 3) {
      throw new ConfigException(at, "required 3 bytes, got " + b.length);
    }
    return b[0] == 0 && b[1] == 0 && b[2] == 0 ? null : b;
  }
}
