package dev.umbra.core.adapter;

/**
 * Accepts connections or packets and hands each to the {@link Router} with its {@link Metadata}. An
 * inbound never dials by itself.
 */
public interface Inbound extends Lifecycle {
  String type();

  String tag();
}
