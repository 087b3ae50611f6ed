package dev.umbra.core.config;

import tools.jackson.databind.JsonNode;

/**
 * The {@code experimental} block. {@code cache_file} stays raw: the DNS module, which owns what it
 * stores (FakeIP, rejected-response cache), binds and checks it.
 */
public record ExperimentalOptions(
    JsonNode cacheFile,
    @Unsupported("the Clash API (experimental.clash_api) is not implemented yet") JsonNode clashApi,
    @Unsupported("the V2Ray stats API (experimental.v2ray_api) is not implemented")
        JsonNode v2rayApi,
    @Unsupported("Go runtime debug options (experimental.debug) do not apply to Umbra")
        JsonNode debug) {}
