package dev.umbra.dns.router;

/** One entry of {@code dns.rules}: conditions, action, and where it was written. */
record DnsRouteRule(DnsRule rule, DnsAction action, String path) {}
