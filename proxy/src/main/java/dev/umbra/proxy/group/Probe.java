package dev.umbra.proxy.group;

import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.adapter.Outbound;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Network;
import dev.umbra.tls.TlsClient;
import dev.umbra.tls.TlsOptions;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A delay probe: an HTTP GET of the test URL through one member, timed from dial to the status
 * line. Any 2xx/3xx status counts as reachable.
 */
final class Probe {
  /** sing-box's default test URL. */
  static final String DEFAULT_URL = "https://www.gstatic.com/generate_204";

  private final URI uri;
  private final Destination target;
  private final TlsClient tls;

  Probe(String url) {
    String u = url == null ? DEFAULT_URL : url;
    try {
      uri = new URI(u);
    } catch (URISyntaxException e) {
      throw new ConfigException("url", "invalid URL '" + u + "'");
    }
    boolean https = "https".equalsIgnoreCase(uri.getScheme());
    if ((!https && !"http".equalsIgnoreCase(uri.getScheme())) || uri.getHost() == null) {
      throw new ConfigException("url", "expected an http:// or https:// URL, got '" + u + "'");
    }
    target = Destination.of(uri.getHost(), uri.getPort() < 0 ? (https ? 443 : 80) : uri.getPort());
    tls = https ? TlsClient.create(TlsOptions.httpClient(uri.getHost(), null), "url") : null;
  }

  private Conn open(Outbound member) throws IOException {
    Conn raw = member.dial(Metadata.internal(Network.TCP, target));
    if (tls == null) {
      return raw;
    }
    try {
      return tls.wrap(raw, uri.getHost());
    } catch (IOException e) {
      raw.close();
      throw e;
    }
  }

  /** Milliseconds to the response status line; throws if unreachable within {@code timeout}. */
  long measure(Outbound member, Duration timeout) throws IOException {
    long start = System.nanoTime();
    try (Conn c = open(member)) {
      c.setReadTimeout((int) timeout.toMillis());
      String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
      if (uri.getRawQuery() != null) {
        path += "?" + uri.getRawQuery();
      }
      String request =
          "GET "
              + path
              + " HTTP/1.1\r\nHost: "
              + uri.getRawAuthority()
              + "\r\nUser-Agent: umbra\r\nConnection: close\r\n\r\n";
      c.out().write(request.getBytes(StandardCharsets.US_ASCII));
      c.out().flush();
      InputStream in = c.in();
      byte[] status = new byte[12];
      int n = in.readNBytes(status, 0, 12);
      String line = new String(status, 0, n, StandardCharsets.US_ASCII);
      if (n < 12
          || !line.startsWith("HTTP/1.")
          || (line.charAt(9) != '2' && line.charAt(9) != '3')) {
        throw new IOException("probe got '" + line.strip() + "'");
      }
      return Math.max(1, (System.nanoTime() - start) / 1_000_000L);
    }
  }
}
