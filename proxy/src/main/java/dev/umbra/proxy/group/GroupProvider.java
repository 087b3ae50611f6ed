package dev.umbra.proxy.group;

import dev.umbra.core.registry.ProtocolProvider;
import dev.umbra.core.registry.Registry;

/** Registers the outbound groups: selector, urltest, and Umbra's fallback and loadbalance. */
public final class GroupProvider implements ProtocolProvider {
  @Override
  public void register(Registry r) {
    r.outbound(
        "selector", SelectorOptions.class, (c, tag, o) -> new Selector(tag, o, c.outbounds()));
    for (String type : new String[] {"urltest", "fallback", "loadbalance"}) {
      r.outbound(
          type, UrlTestOptions.class, (c, tag, o) -> new ProbedGroup(type, tag, o, c.outbounds()));
    }
  }
}
