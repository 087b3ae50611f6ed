package dev.umbra.proxy.http;

import dev.umbra.core.config.Flatten;
import dev.umbra.core.config.ListenOptions;
import dev.umbra.core.config.Unsupported;
import dev.umbra.proxy.auth.User;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** The sing-box {@code http} and {@code mixed} inbounds (same fields). */
public record HttpInboundOptions(
    @Flatten ListenOptions listen,
    List<User> users,
    @Unsupported("changing the system proxy settings") Boolean setSystemProxy,
    @Unsupported("needs the DNS module") JsonNode domainResolver,
    dev.umbra.tls.TlsOptions tls) {}
