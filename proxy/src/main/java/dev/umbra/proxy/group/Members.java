package dev.umbra.proxy.group;

import dev.umbra.core.adapter.Outbound;
import dev.umbra.core.adapter.OutboundManager;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.net.Network;
import java.io.IOException;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** A group's member tags, resolved through the outbound manager when used. */
final class Members {
  private final List<String> tags;
  private final OutboundManager outbounds;

  Members(List<String> tags, OutboundManager outbounds) {
    if (tags == null || tags.isEmpty()) {
      throw new ConfigException("outbounds", "a group needs at least one member outbound");
    }
    for (int i = 0; i < tags.size(); i++) {
      if (tags.indexOf(tags.get(i)) != i) {
        throw new ConfigException(
            JsonPaths.index("outbounds", i), "member '" + tags.get(i) + "' listed twice");
      }
    }
    this.tags = List.copyOf(tags);
    this.outbounds = outbounds;
  }

  List<String> tags() {
    return tags;
  }

  Outbound get(String tag) throws IOException {
    return outbounds
        .get(tag)
        .orElseThrow(() -> new IOException("member outbound '" + tag + "' is gone"));
  }

  Set<Network> networks() {
    Set<Network> all = EnumSet.noneOf(Network.class);
    for (String t : tags) {
      outbounds.get(t).ifPresent(o -> all.addAll(o.networks()));
    }
    return all.isEmpty() ? EnumSet.allOf(Network.class) : all;
  }
}
