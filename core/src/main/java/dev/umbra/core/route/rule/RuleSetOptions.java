package dev.umbra.core.route.rule;

import dev.umbra.core.config.Unsupported;
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
    @Unsupported("remote rule-sets are not supported yet") String url,
    @Unsupported("remote rule-sets are not supported yet") String downloadDetour,
    @Unsupported("remote rule-sets are not supported yet") Duration updateInterval) {}
