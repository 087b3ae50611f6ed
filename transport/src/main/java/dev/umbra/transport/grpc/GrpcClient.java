package dev.umbra.transport.grpc;

import dev.umbra.core.net.Conn;
import dev.umbra.tls.TlsOptions;
import dev.umbra.transport.Dial;
import dev.umbra.transport.SessionClientTransport;
import dev.umbra.transport.TransportOptions;
import dev.umbra.transport.h2.H2Client;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;

/**
 * The {@code grpc} transport client (sing-box's default "lite" one): {@code POST
 * /<service_name>/Tun} with {@code content-type: application/grpc} and {@code te: trailers} on a
 * shared HTTP/2 session (TLS, or h2c with prior knowledge without it), gun-framed both ways.
 */
public final class GrpcClient implements SessionClientTransport {
  private final H2Client client;
  private final String path;
  private final String serverName;
  private final boolean tls;

  public GrpcClient(TransportOptions options, TlsOptions tlsOptions) {
    this.client =
        new H2Client(
            "grpc",
            options.idleTimeoutOrZero(),
            options.pingTimeoutOrDefault(),
            Boolean.TRUE.equals(options.permitWithoutStream()));
    this.path = "/" + escape(options.serviceNameOrEmpty()) + "/Tun";
    this.tls = tlsOptions != null && tlsOptions.isEnabled();
    this.serverName = tls ? tlsOptions.serverName() : null;
  }

  /** Go's url.PathEscape: everything but unreserved characters percent-encoded. */
  private static String escape(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Override
  public Conn open(Dial carrier, String server) throws IOException {
    int[] port = {0};
    Dial remembering =
        () -> {
          Conn c = carrier.dial();
          if (c.remoteAddress() instanceof InetSocketAddress a) {
            port[0] = a.getPort();
          }
          return c;
        };
    HttpFields.Mutable headers = HttpFields.build();
    headers.put("content-type", "application/grpc");
    headers.put("user-agent", "grpc-go/1.48.0");
    headers.put("te", "trailers");
    String host = serverName != null && !serverName.isEmpty() ? serverName : server;
    HttpURI uri = HttpURI.build((tls ? "https://" : "http://") + authority(host) + path);
    return GunConn.over(
        client.open(remembering, new MetaData.Request("POST", uri, HttpVersion.HTTP_2, headers)));
  }

  private static String authority(String host) {
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  @Override
  public void close() {
    client.close();
  }
}
