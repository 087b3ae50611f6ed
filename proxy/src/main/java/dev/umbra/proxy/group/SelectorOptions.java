package dev.umbra.proxy.group;

import dev.umbra.core.config.JsonName;
import java.util.List;

/** The sing-box {@code selector} outbound. */
public record SelectorOptions(
    List<String> outbounds,
    @JsonName("default") String defaultOutbound,
    Boolean interruptExistConnections) {}
