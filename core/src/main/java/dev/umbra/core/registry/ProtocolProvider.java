package dev.umbra.core.registry;

/**
 * A module's entry point, found with {@link java.util.ServiceLoader} (listed in {@code
 * META-INF/services/dev.umbra.core.registry.ProtocolProvider}): registers its types.
 */
public interface ProtocolProvider {
  void register(Registry registry);
}
