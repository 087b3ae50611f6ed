package dev.umbra.core.config;

import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The top level of a sing-box config. Polymorphic lists stay raw here: the config loader resolves
 * each element's {@code type} through the registry.
 */
public record RootOptions(
    @JsonName("$schema") String schema,
    LogOptions log,
    JsonNode dns,
    @Unsupported JsonNode ntp,
    @Unsupported JsonNode certificate,
    List<JsonNode> endpoints,
    List<JsonNode> inbounds,
    List<JsonNode> outbounds,
    JsonNode route,
    List<JsonNode> services,
    ExperimentalOptions experimental) {}
