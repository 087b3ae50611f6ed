package dev.umbra.proxy.group;

import dev.umbra.core.config.JsonName;
import dev.umbra.core.config.Unsupported;
import java.util.List;

/** The sing-box {@code selector} outbound. */
public record SelectorOptions(
    List<String> outbounds,
    @JsonName("default") String defaultOutbound,
    @Unsupported("needs the Clash API's connection control") Boolean interruptExistConnections) {}
