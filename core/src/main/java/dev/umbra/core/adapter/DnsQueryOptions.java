package dev.umbra.core.adapter;

import dev.umbra.core.config.DomainStrategy;

/**
 * How to resolve for a {@code resolve} action or a {@code domain_resolver}: sing-box's DNS query
 * options. Every field may be null (server: let the DNS rules choose).
 *
 * @param server tag of a DNS server
 * @param strategy address families wanted
 * @param disableCache skip the cache
 * @param rewriteTtl TTL to put on the answers
 * @param clientSubnet EDNS0 client subnet (an address or prefix) to send upstream
 */
public record DnsQueryOptions(
    String server,
    DomainStrategy strategy,
    Boolean disableCache,
    Long rewriteTtl,
    String clientSubnet) {
  public static final DnsQueryOptions DEFAULT = new DnsQueryOptions(null, null, null, null, null);
}
