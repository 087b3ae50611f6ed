package dev.umbra.core.adapter;

import java.io.Closeable;
import java.io.IOException;

/** A component with a staged start and a single close. */
public interface Lifecycle extends Closeable {

  /** Called once per {@link StartStage}, in order. The default does nothing. */
  default void start(StartStage stage) throws IOException {}

  /** Stops the component and releases what it holds. Idempotent. */
  @Override
  void close() throws IOException;
}
