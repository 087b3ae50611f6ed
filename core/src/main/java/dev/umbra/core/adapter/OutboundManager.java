package dev.umbra.core.adapter;

import java.util.Collection;
import java.util.Optional;

/** Finds outbounds (and endpoints) by tag. Lookups are valid from {@link StartStage#INITIALIZE}. */
public interface OutboundManager {
  Optional<Outbound> get(String tag);

  /** The outbound used when no rule matches: route.final, else the first outbound. */
  Outbound defaultOutbound();

  Collection<Outbound> all();
}
