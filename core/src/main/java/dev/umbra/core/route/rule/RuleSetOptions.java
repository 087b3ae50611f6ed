package dev.umbra.core.route.rule;

import java.time.Duration;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** One element of {@code route.rule_set}: inline, local or remote. */
public record RuleSetOptions(
    String type,
    String tag,
    List<JsonNode> rules,
    String format,
    String path,
    String url,
    String downloadDetour,
    Duration updateInterval) {}
