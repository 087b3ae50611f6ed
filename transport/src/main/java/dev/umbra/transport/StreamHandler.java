package dev.umbra.transport;

import java.io.IOException;

/**
 * Serves one accepted stream; a session transport calls it once per stream, each on its own thread.
 */
@FunctionalInterface
public interface StreamHandler {
  void handle(ServerStack.Accepted stream) throws IOException;
}
