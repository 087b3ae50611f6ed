package dev.umbra.proxy.shadowsocks;

import java.util.LinkedHashMap;
import java.util.Map;

/** SIP003 plugin options: {@code key=value;flag;key2=value2}, backslash escapes. */
final class PluginOptions {
  private PluginOptions() {}

  static Map<String, String> parse(String opts) {
    Map<String, String> m = new LinkedHashMap<>();
    if (opts == null || opts.isEmpty()) {
      return m;
    }
    StringBuilder key = new StringBuilder();
    StringBuilder value = null;
    for (int i = 0; i < opts.length(); i++) {
      char c = opts.charAt(i);
      if (c == '\\' && i + 1 < opts.length()) {
        (value == null ? key : value).append(opts.charAt(++i));
      } else if (c == '=' && value == null) {
        value = new StringBuilder();
      } else if (c == ';') {
        put(m, key, value);
        key = new StringBuilder();
        value = null;
      } else {
        (value == null ? key : value).append(c);
      }
    }
    put(m, key, value);
    return m;
  }

  private static void put(Map<String, String> m, StringBuilder key, StringBuilder value) {
    String k = key.toString().trim();
    if (!k.isEmpty()) {
      m.put(k, value == null ? "" : value.toString());
    }
  }
}
