package dev.umbra.dns;

import dev.umbra.core.adapter.DnsService;
import dev.umbra.core.adapter.Outbound;
import dev.umbra.core.adapter.OutboundManager;
import dev.umbra.core.config.Jsonc;
import dev.umbra.core.registry.DnsServiceFactory;
import dev.umbra.dns.router.DnsRouterFactory;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Builds a DNS service from a {@code dns} block, the way the instance does. */
public final class TestDns {
  private TestDns() {}

  static final OutboundManager NO_OUTBOUNDS =
      new OutboundManager() {
        @Override
        public Optional<Outbound> get(String tag) {
          return Optional.empty();
        }

        @Override
        public Outbound defaultOutbound() {
          throw new IllegalStateException("no outbounds");
        }

        @Override
        public Collection<Outbound> all() {
          return List.of();
        }
      };

  public static DnsService build(String dnsJson) {
    return build(dnsJson, Path.of("/etc/resolv.conf"), Path.of("/etc/hosts"));
  }

  public static DnsService build(String dnsJson, Path resolvConf, Path hosts) {
    return new DnsRouterFactory(resolvConf, hosts)
        .create(
            Jsonc.parse(dnsJson, "test"),
            "dns",
            new DnsServiceFactory.Context(
                NO_OUTBOUNDS, Set.of(), Set.of("in"), List.of(), Path.of("").toAbsolutePath()));
  }

  /** With an {@code experimental.cache_file} object, paths relative to {@code workingDirectory}. */
  public static DnsService buildWithCacheFile(
      String dnsJson, String cacheFileJson, Path workingDirectory) {
    return new DnsRouterFactory(Path.of("/etc/resolv.conf"), Path.of("/etc/hosts"))
        .create(
            Jsonc.parse(dnsJson, "test"),
            "dns",
            new DnsServiceFactory.Context(
                NO_OUTBOUNDS,
                Set.of(),
                Set.of("in"),
                List.of(),
                workingDirectory,
                Jsonc.parse(cacheFileJson, "experimental.cache_file")));
  }

  /** With a {@code route.rule_set} list (a JSON array). */
  public static DnsService buildWithRuleSets(String dnsJson, String ruleSetsJson) {
    List<tools.jackson.databind.JsonNode> sets = new java.util.ArrayList<>();
    Jsonc.parse(ruleSetsJson, "route.rule_set").forEach(sets::add);
    return new DnsRouterFactory(Path.of("/etc/resolv.conf"), Path.of("/etc/hosts"))
        .create(
            Jsonc.parse(dnsJson, "test"),
            "dns",
            new DnsServiceFactory.Context(
                NO_OUTBOUNDS, Set.of(), Set.of("in"), sets, Path.of("").toAbsolutePath()));
  }
}
