package dev.umbra.dns.config;

import dev.umbra.core.config.DomainStrategy;
import dev.umbra.core.config.JsonName;
import dev.umbra.core.config.Unsupported;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** The sing-box {@code dns} block; servers and rules stay raw until their parsers read them. */
public record DnsOptions(
    List<JsonNode> servers,
    List<JsonNode> rules,
    @JsonName("final") String finalServer,
    DomainStrategy strategy,
    Boolean disableCache,
    Boolean disableExpire,
    Boolean independentCache,
    Integer cacheCapacity,
    Boolean reverseMapping,
    String clientSubnet,
    @Unsupported("the legacy dns.fakeip block is deprecated; use a server of type 'fakeip'")
        JsonNode fakeip) {

  public static final DnsOptions EMPTY =
      new DnsOptions(null, null, null, null, null, null, null, null, null, null, null);
}
