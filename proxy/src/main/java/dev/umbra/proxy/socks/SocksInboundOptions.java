package dev.umbra.proxy.socks;

import dev.umbra.core.config.Flatten;
import dev.umbra.core.config.ListenOptions;
import dev.umbra.core.config.Unsupported;
import dev.umbra.proxy.auth.User;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** The sing-box {@code socks} inbound. */
public record SocksInboundOptions(
    @Flatten ListenOptions listen,
    List<User> users,
    @Unsupported("needs the DNS module") JsonNode domainResolver) {}
