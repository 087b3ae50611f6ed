package dev.umbra.core.config;

/**
 * An options record that checks itself after binding. Throw {@link ConfigException} with a path
 * built from {@code path} (the record's own JSON path) so the error names the offending field.
 */
public interface Validated {
  void validate(String path);
}
