package dev.umbra.transport.http;

import dev.umbra.transport.TransportOptions;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** What sing-box's http transport client puts in its request: the Host and the path. */
final class HttpRequests {
  /** v2ray's default Host for the h2 transport (sing-box copies it). */
  static final String V2RAY_DEFAULT_HOST = "www.example.com";

  private HttpRequests() {}

  /** One host from the list (random when several), else {@code fallback}. */
  static String pickHost(TransportOptions o, String fallback) {
    List<String> hosts = o.host();
    if (hosts == null || hosts.isEmpty()) {
      return fallback;
    }
    return hosts.size() == 1
        ? hosts.getFirst()
        : hosts.get(ThreadLocalRandom.current().nextInt(hosts.size()));
  }

  static String method(TransportOptions o) {
    return o.method() == null || o.method().isEmpty() ? "PUT" : o.method();
  }
}
