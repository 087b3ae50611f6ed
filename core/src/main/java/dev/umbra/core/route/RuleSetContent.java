package dev.umbra.core.route;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.route.rule.BinaryRules;
import dev.umbra.core.route.rule.Rule;
import dev.umbra.core.route.rule.RuleSetSource;
import dev.umbra.core.route.srs.Srs;
import dev.umbra.core.route.srs.SrsFormatException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Turns the bytes of a rule-set file (source JSON or binary {@code .srs}) into rules. */
public final class RuleSetContent {
  private RuleSetContent() {}

  public static final String SOURCE = "source";
  public static final String BINARY = "binary";

  /**
   * Parses {@code content} in {@code format}; errors are {@link ConfigException}s whose message
   * names {@code where} (a file name or URL).
   */
  public static List<Rule> parse(byte[] content, String format, String where) {
    if (format.equals(BINARY)) {
      try {
        return BinaryRules.compile(Srs.read(content), "");
      } catch (SrsFormatException e) {
        throw new ConfigException("", where + ": " + e.getMessage(), e);
      } catch (ConfigException e) {
        throw new ConfigException("", where + ": " + e.getMessage(), e);
      }
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(content))
              .toString();
    } catch (CharacterCodingException e) {
      throw new ConfigException("", where + ": not UTF-8 text", e);
    }
    try {
      return RuleSetSource.parse(text, where);
    } catch (ConfigException e) {
      if (e.getMessage().contains(where)) {
        throw e;
      }
      throw new ConfigException("", where + ": " + e.getMessage(), e);
    }
  }

  /**
   * sing-box's default format: from the extension of a path or of a URL's path; null if neither
   * {@code .json} nor {@code .srs}.
   */
  public static String formatFromName(String name) {
    String path = name;
    try {
      URI u = URI.create(name);
      if (u.getScheme() != null && u.getRawPath() != null) {
        path = u.getRawPath();
      }
    } catch (IllegalArgumentException e) {
      path = name;
    }
    if (path.endsWith(".json")) {
      return SOURCE;
    }
    if (path.endsWith(".srs")) {
      return BINARY;
    }
    return null;
  }
}
