package dev.umbra.core.config;

/** The sing-box {@code log} block. */
public record LogOptions(Boolean disabled, LogLevel level, String output, Boolean timestamp) {

  /** sing-box log levels, most verbose first. */
  public enum LogLevel implements JsonEnum {
    TRACE,
    DEBUG,
    INFO,
    WARN,
    ERROR,
    FATAL,
    PANIC;

    @Override
    public String jsonName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
