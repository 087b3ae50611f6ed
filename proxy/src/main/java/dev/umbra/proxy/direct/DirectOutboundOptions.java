package dev.umbra.proxy.direct;

import dev.umbra.core.config.DialOptions;
import dev.umbra.core.config.Flatten;
import dev.umbra.core.config.Removed;
import tools.jackson.databind.JsonNode;

/** The sing-box {@code direct} outbound: dial fields only. */
public record DirectOutboundOptions(
    @Flatten DialOptions dial,
    @Removed("removed in sing-box 1.13.0; use route-options 'override_address'")
        String overrideAddress,
    @Removed("removed in sing-box 1.13.0; use route-options 'override_port'") Integer overridePort,
    @Removed("removed in sing-box 1.13.0") JsonNode proxyProtocol) {}
