package dev.umbra.proxy.vless;

import dev.umbra.core.config.ConfigException;
import java.nio.ByteBuffer;
import java.util.UUID;

/** UUID strings from configs to the 16 bytes on the wire. */
public final class Uuids {
  private Uuids() {}

  public static byte[] parse(String uuid, String path) {
    if (uuid == null || uuid.isEmpty()) {
      throw new ConfigException(path, "missing uuid");
    }
    try {
      if (uuid.length() != 36) {
        throw new IllegalArgumentException("length");
      }
      UUID u = UUID.fromString(uuid);
      return ByteBuffer.allocate(16)
          .putLong(u.getMostSignificantBits())
          .putLong(u.getLeastSignificantBits())
          .array();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(path, "not a UUID: '" + uuid + "'");
    }
  }
}
