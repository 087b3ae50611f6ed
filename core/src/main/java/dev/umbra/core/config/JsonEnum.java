package dev.umbra.core.config;

/** An enum read from a JSON string; {@link #jsonName()} is the string in configs. */
public interface JsonEnum {
  String jsonName();
}
