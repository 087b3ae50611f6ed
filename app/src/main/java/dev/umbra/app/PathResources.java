package dev.umbra.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What sing-box's {@code merge} does besides merging: the contents of files named by {@code *_path}
 * fields of TLS blocks (and the SSH private key) are inlined as arrays of their non-blank lines, so
 * the merged config stands alone. The path fields stay; unreadable files are left alone, as
 * sing-box does.
 */
final class PathResources {
  private PathResources() {}

  static void inline(JsonNode config, Path base) {
    for (JsonNode inbound : config.path("inbounds")) {
      if (inbound.get("tls") instanceof ObjectNode tls) {
        inline(tls, "certificate_path", "certificate", base);
        inline(tls, "key_path", "key", base);
        if (tls.get("ech") instanceof ObjectNode ech) {
          inline(ech, "key_path", "key", base);
        }
      }
    }
    for (JsonNode outbound : config.path("outbounds")) {
      if (outbound instanceof ObjectNode o && "ssh".equals(o.path("type").asString(""))) {
        inline(o, "private_key_path", "private_key", base);
      }
      if (outbound.get("tls") instanceof ObjectNode tls) {
        inline(tls, "certificate_path", "certificate", base);
        if (tls.get("ech") instanceof ObjectNode ech) {
          inline(ech, "config_path", "config", base);
        }
      }
    }
  }

  private static void inline(ObjectNode o, String pathKey, String contentKey, Path base) {
    JsonNode p = o.get(pathKey);
    if (p == null || !p.isString() || p.stringValue().isEmpty()) {
      return;
    }
    String content;
    try {
      content = Files.readString(base.resolve(p.stringValue()), StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      return; // sing-box keeps the path when the file cannot be read; load reports it later
    }
    var lines = o.putArray(contentKey);
    for (String line : content.split("\n", -1)) {
      if (!line.isBlank()) {
        lines.add(line);
      }
    }
  }
}
