package dev.umbra.dns.router;

import dev.umbra.core.adapter.DnsQueryOptions;
import java.util.List;
import org.xbill.DNS.Record;

/** What a matching DNS rule does. */
sealed interface DnsAction {
  /** Final: ask this server, with these options. */
  record Route(String server, DnsQueryOptions options) implements DnsAction {}

  /** Non-final: options for the eventual query. */
  record RouteOptions(DnsQueryOptions options) implements DnsAction {}

  /** Final: REFUSED, or no answer at all with {@code drop}. */
  record Reject(boolean drop) implements DnsAction {}

  /** Final: a fixed answer. */
  record Predefined(int rcode, List<Record> answer, List<Record> ns, List<Record> extra)
      implements DnsAction {}
}
