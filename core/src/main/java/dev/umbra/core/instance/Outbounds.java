package dev.umbra.core.instance;

import dev.umbra.core.adapter.Outbound;
import dev.umbra.core.adapter.OutboundManager;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The outbounds and endpoints of one configuration, by tag. */
final class Outbounds implements OutboundManager {
  private final Map<String, Outbound> byTag = new LinkedHashMap<>();
  private String defaultTag;

  void add(Outbound o) {
    byTag.put(o.tag(), o);
  }

  void setDefault(String tag) {
    defaultTag = tag;
  }

  @Override
  public Optional<Outbound> get(String tag) {
    return Optional.ofNullable(byTag.get(tag));
  }

  @Override
  public Outbound defaultOutbound() {
    Outbound o = defaultTag == null ? null : byTag.get(defaultTag);
    if (o == null) {
      o = byTag.values().iterator().next();
    }
    return o;
  }

  @Override
  public Collection<Outbound> all() {
    return Collections.unmodifiableCollection(byTag.values());
  }
}
