package dev.umbra.transport.http;

import dev.umbra.core.net.Conn;
import dev.umbra.transport.Dial;
import dev.umbra.transport.SessionClientTransport;
import dev.umbra.transport.TransportOptions;
import dev.umbra.transport.h2.H2Client;
import java.io.IOException;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;

/**
 * The {@code http} transport over TLS: each connection is one HTTP/2 stream (method PUT unless set,
 * the configured path, a Host from the list or v2ray's "www.example.com", the configured headers)
 * on a shared session; the response must be 200.
 */
public final class HttpH2Client implements SessionClientTransport {
  private final TransportOptions options;
  private final H2Client client;

  public HttpH2Client(TransportOptions options) {
    this.options = options;
    this.client =
        new H2Client("http-h2", options.idleTimeoutOrZero(), options.pingTimeoutOrDefault(), true);
  }

  @Override
  public Conn open(Dial carrier, String server) throws IOException {
    HttpFields.Mutable headers = HttpFields.build();
    for (var e : options.headersOrEmpty().entrySet()) {
      if (!e.getKey().equalsIgnoreCase("host")) {
        for (String v : e.getValue()) {
          headers.add(e.getKey(), v);
        }
      }
    }
    String host = HttpRequests.pickHost(options, HttpRequests.V2RAY_DEFAULT_HOST);
    HttpURI uri = HttpURI.build("https://" + host + options.pathOrRoot());
    return client.open(
        carrier,
        new MetaData.Request(HttpRequests.method(options), uri, HttpVersion.HTTP_2, headers));
  }

  @Override
  public void close() {
    client.close();
  }
}
