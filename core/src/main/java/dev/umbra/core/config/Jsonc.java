package dev.umbra.core.config;

import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads sing-box config text: JSON with comments and trailing commas, duplicate keys rejected. */
public final class Jsonc {
  private Jsonc() {}

  public static final JsonMapper MAPPER =
      JsonMapper.builder()
          .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS, JsonReadFeature.ALLOW_TRAILING_COMMA)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();

  /**
   * Parses {@code text}; a syntax error becomes a {@link ConfigException} naming {@code source},
   * line and column.
   */
  public static JsonNode parse(String text, String source) {
    try {
      JsonNode node = MAPPER.readTree(text);
      if (node == null || node.isMissingNode()) {
        throw new ConfigException("", source + ": empty document (expected a JSON object)");
      }
      return node;
    } catch (JacksonException e) {
      var loc = e.getLocation();
      String where =
          loc == null ? source : source + ":" + loc.getLineNr() + ":" + loc.getColumnNr();
      throw new ConfigException("", where + ": invalid JSON: " + e.getOriginalMessage(), e);
    }
  }
}
