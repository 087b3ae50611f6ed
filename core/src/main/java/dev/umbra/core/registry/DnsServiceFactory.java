package dev.umbra.core.registry;

import dev.umbra.core.adapter.DnsService;
import dev.umbra.core.adapter.OutboundManager;
import dev.umbra.core.route.rule.RuleSet;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/** Builds the DNS service from the {@code dns} block (the DNS module registers one). */
@FunctionalInterface
public interface DnsServiceFactory {

  /**
   * @param outbounds looked up when a DNS server first dials (its {@code detour})
   * @param outboundTags tags of every outbound and endpoint, to check detours at load
   * @param inboundTags tags of every inbound, for the {@code inbound} rule field
   * @param ruleSets the raw {@code route.rule_set} list, shared with the router's rules
   * @param cacheFile the raw {@code experimental.cache_file} object, or null
   * @param loadedRuleSets {@code route.rule_set} already built by the instance and shared with the
   *     route (whose router starts and closes the remote ones), or null to build its own
   */
  record Context(
      OutboundManager outbounds,
      Set<String> outboundTags,
      Set<String> inboundTags,
      List<JsonNode> ruleSets,
      Path workingDirectory,
      JsonNode cacheFile,
      Map<String, RuleSet> loadedRuleSets) {

    /** Without shared rule-sets. */
    public Context(
        OutboundManager outbounds,
        Set<String> outboundTags,
        Set<String> inboundTags,
        List<JsonNode> ruleSets,
        Path workingDirectory,
        JsonNode cacheFile) {
      this(outbounds, outboundTags, inboundTags, ruleSets, workingDirectory, cacheFile, null);
    }

    /** Without a cache file. */
    public Context(
        OutboundManager outbounds,
        Set<String> outboundTags,
        Set<String> inboundTags,
        List<JsonNode> ruleSets,
        Path workingDirectory) {
      this(outbounds, outboundTags, inboundTags, ruleSets, workingDirectory, null, null);
    }
  }

  /**
   * Checks and builds the service without opening a socket. {@code dns} may be null (no dns block:
   * a service with the local system server only).
   */
  DnsService create(JsonNode dns, String path, Context context);
}
