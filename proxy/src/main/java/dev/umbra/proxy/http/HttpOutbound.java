package dev.umbra.proxy.http;

import dev.umbra.core.adapter.Dialer;
import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.adapter.Outbound;
import dev.umbra.core.adapter.RejectedException;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Network;
import dev.umbra.core.net.PacketConn;
import dev.umbra.tls.TlsClient;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** Tunnels each connection through an HTTP proxy with CONNECT. */
public final class HttpOutbound implements Outbound {
  private static final int HANDSHAKE_TIMEOUT_MILLIS = 10_000;
  private final String tag;
  private final HttpOutboundOptions options;
  private final Dialer dialer;
  private final Destination server;
  private final TlsClient tls;

  public HttpOutbound(String tag, HttpOutboundOptions options, Dialer dialer) {
    this.tag = tag;
    this.options = options;
    this.dialer = dialer;
    this.server = Destination.of(options.server(), options.serverPort());
    this.tls =
        options.tls() != null && options.tls().isEnabled()
            ? TlsClient.create(options.tls(), "tls")
            : null;
  }

  @Override
  public Conn dial(Metadata metadata) throws IOException {
    Destination target = metadata.destination();
    Conn conn = dialer.dial(server);
    try {
      conn.setReadTimeout(HANDSHAKE_TIMEOUT_MILLIS);
      if (tls != null) {
        conn = tls.wrap(conn, options.server());
      }
      String authority = target.toString();
      List<HttpHead.Header> headers = new ArrayList<>();
      headers.add(new HttpHead.Header("Host", authority));
      if (options.username() != null) {
        String token =
            options.username() + ":" + (options.password() == null ? "" : options.password());
        headers.add(
            new HttpHead.Header(
                "Proxy-Authorization",
                "Basic "
                    + Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8))));
      }
      if (options.headers() != null) {
        options
            .headers()
            .forEach((k, vs) -> vs.forEach(v -> headers.add(new HttpHead.Header(k, v))));
      }
      String requestTarget =
          options.path() == null || options.path().isEmpty() ? authority : options.path();
      HttpHead.write(conn.out(), "CONNECT " + requestTarget + " HTTP/1.1", headers);
      conn.out().flush();
      HttpHead response = HttpHead.read(conn.in());
      if (response == null) {
        throw new IOException("proxy closed the connection before answering CONNECT");
      }
      String[] parts = response.startParts();
      int status = parts.length > 1 ? HttpBody.parseStatus(parts[1]) : 0;
      if (status / 100 != 2) {
        String what = "proxy refused CONNECT " + authority + ": " + response.startLine();
        throw status == 403 || status == 407
            ? new RejectedException(what)
            : new ConnectException(what);
      }
      conn.setReadTimeout(0);
      return conn;
    } catch (IOException | RuntimeException e) {
      conn.close();
      throw e;
    }
  }

  @Override
  public PacketConn listenPacket(Metadata metadata) throws IOException {
    throw new IOException("outbound '" + tag + "' (http) cannot carry UDP");
  }

  @Override
  public Set<Network> networks() {
    return EnumSet.of(Network.TCP);
  }

  @Override
  public List<String> dependencies() {
    return options.dial().detour() == null ? List.of() : List.of(options.dial().detour());
  }

  @Override
  public String type() {
    return "http";
  }

  @Override
  public String tag() {
    return tag;
  }
}
