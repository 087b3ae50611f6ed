package dev.umbra.core.registry;

import dev.umbra.core.adapter.AdapterContext;
import java.io.IOException;

/**
 * Builds one component from its validated options. Must not open sockets: that happens at {@link
 * dev.umbra.core.adapter.StartStage#START}.
 *
 * @param <O> the options record for the type
 * @param <T> what it builds (Inbound, Outbound, Endpoint, Service)
 */
@FunctionalInterface
public interface Factory<O extends Record, T> {
  T create(AdapterContext context, String tag, O options) throws IOException;
}
