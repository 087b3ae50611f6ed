package dev.umbra.core.config;

/** Builds JSON paths in the form used in error messages: {@code route.rules[3].outbound}. */
public final class JsonPaths {
  private JsonPaths() {}

  public static String field(String parent, String name) {
    return parent == null || parent.isEmpty() ? name : parent + "." + name;
  }

  public static String index(String parent, int i) {
    return (parent == null ? "" : parent) + "[" + i + "]";
  }
}
