package dev.umbra.dns;

import dev.umbra.core.registry.ProtocolProvider;
import dev.umbra.core.registry.Registry;
import dev.umbra.dns.router.DnsRouterFactory;

/** Registers the DNS service (client, router, server, FakeIP) with the kernel. */
public final class DnsProvider implements ProtocolProvider {
  @Override
  public void register(Registry registry) {
    registry.dns(new DnsRouterFactory());
  }
}
