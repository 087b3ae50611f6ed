package dev.umbra.core.registry;

import java.util.Map;
import java.util.Set;

/**
 * Every type sing-box defines, so that a type Umbra has not implemented yet is rejected by name
 * ("not supported yet") rather than as unknown.
 */
public final class KnownTypes {
  private KnownTypes() {}

  private static final Map<Kind, Set<String>> SING_BOX =
      Map.of(
          Kind.INBOUND,
          Set.of(
              "direct",
              "mixed",
              "socks",
              "http",
              "shadowsocks",
              "vmess",
              "trojan",
              "naive",
              "hysteria",
              "shadowtls",
              "tuic",
              "hysteria2",
              "vless",
              "anytls",
              "tun",
              "redirect",
              "tproxy"),
          Kind.OUTBOUND,
          Set.of(
              "direct",
              "block",
              "socks",
              "http",
              "shadowsocks",
              "vmess",
              "trojan",
              "naive",
              "wireguard",
              "hysteria",
              "shadowtls",
              "tuic",
              "hysteria2",
              "vless",
              "tor",
              "ssh",
              "anytls",
              "selector",
              "urltest",
              "dns"),
          Kind.ENDPOINT,
          Set.of("wireguard", "tailscale"),
          Kind.SERVICE,
          Set.of("derp", "resolved", "ssm-api", "ccm", "ocm"));

  /** Types that sing-box itself removed; using them is an error with this explanation. */
  private static final Map<Kind, Map<String, String>> REMOVED =
      Map.of(
          Kind.INBOUND,
          Map.of("shadowsocksr", "removed in sing-box 1.6.0"),
          Kind.OUTBOUND,
          Map.of(
              "shadowsocksr",
              "removed in sing-box 1.6.0",
              "dns",
              "the legacy 'dns' outbound was removed in sing-box 1.13.0; use a route rule"
                  + " with action 'hijack-dns'",
              "wireguard",
              "the 'wireguard' outbound was removed in sing-box 1.13.0; use a 'wireguard'"
                  + " endpoint (same fields, in 'endpoints')"));

  public static boolean isKnown(Kind kind, String type) {
    return SING_BOX.getOrDefault(kind, Set.of()).contains(type);
  }

  /** Why a removed type cannot be used, or null if it was not removed. */
  public static String removedReason(Kind kind, String type) {
    return REMOVED.getOrDefault(kind, Map.of()).get(type);
  }
}
