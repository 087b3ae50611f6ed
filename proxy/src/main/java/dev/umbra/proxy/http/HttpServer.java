package dev.umbra.proxy.http;

import dev.umbra.core.adapter.Handshake;
import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.adapter.RejectedException;
import dev.umbra.core.adapter.Router;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Network;
import dev.umbra.core.net.PrefixedConn;
import dev.umbra.proxy.auth.Users;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of an HTTP proxy on one client connection: CONNECT tunnels, and plain
 * absolute-URI requests forwarded with keep-alive, each request routed anew (its host may differ
 * from the previous one). Shared by the {@code http} and {@code mixed} inbounds.
 */
public final class HttpServer {
  private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);

  /** A client gets this long to send a request head; also the keep-alive idle limit. */
  public static final int HEAD_TIMEOUT_MILLIS = 10_000;

  /** How long to wait for the router to reach an upstream. */
  private final String tag;

  private final String type;
  private final Users users;
  private final Router router;

  public HttpServer(String tag, String type, Users users, Router router) {
    this.tag = tag;
    this.type = type;
    this.users = users;
    this.router = router;
  }

  /** The connection to the current upstream, and its buffered input for responses. */
  private record Upstream(Destination destination, Conn conn, InputStream in) {}

  public void serve(Conn conn, InetSocketAddress source) throws IOException {
    BufferedHeadInput in = new BufferedHeadInput(conn.in());
    OutputStream out = conn.out();
    byte[] buf = new byte[16 * 1024];
    Upstream upstream = null;
    try {
      while (true) {
        conn.setReadTimeout(HEAD_TIMEOUT_MILLIS);
        HttpHead head;
        try {
          head = HttpHead.read(in);
        } catch (SocketTimeoutException e) {
          return; // idle keep-alive connection or slow client
        } catch (HttpHead.HttpException e) {
          respond(out, e.status(), e.getMessage(), true);
          throw e;
        }
        if (head == null) {
          return;
        }
        String[] parts = head.startParts();
        if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
          respond(out, 400, "malformed request line", true);
          throw new HttpHead.HttpException(400, "malformed request line");
        }
        String user = null;
        if (users.required()) {
          user = authenticate(head);
          if (user == null) {
            HttpHead.write(
                out,
                "HTTP/1.1 407 Proxy Authentication Required",
                List.of(
                    new HttpHead.Header("Proxy-Authenticate", "Basic realm=\"umbra\""),
                    new HttpHead.Header("Content-Length", "0"),
                    new HttpHead.Header("Connection", "close")));
            out.flush();
            return;
          }
        }
        String method = parts[0];
        if (method.equals("CONNECT")) {
          conn.setReadTimeout(0);
          byte[] early = in.takeReadAhead(); // a client may send before our 200 arrives
          connect(
              early.length == 0 ? conn : new PrefixedConn(conn, early, early.length),
              source,
              parts[1],
              user);
          return;
        }
        Destination target = absoluteTarget(parts[1]);
        if (target == null) {
          respond(out, 400, "expected an absolute URI (http://host/path)", true);
          return;
        }
        if (upstream == null || !upstream.destination().equals(target)) {
          closeQuietly(upstream);
          upstream = open(target, source, user, out);
          if (upstream == null) {
            continue;
          }
        }
        conn.setReadTimeout(0);
        boolean keepAlive = forward(head, parts, in, out, upstream, buf);
        if (!keepAlive) {
          return;
        }
      }
    } finally {
      closeQuietly(upstream);
    }
  }

  private String authenticate(HttpHead head) {
    String auth = head.header("Proxy-Authorization");
    if (auth == null || !auth.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(auth.substring(6).strip());
    } catch (IllegalArgumentException e) {
      return null;
    }
    int colon = -1;
    for (int i = 0; i < decoded.length; i++) {
      if (decoded[i] == ':') {
        colon = i;
        break;
      }
    }
    if (colon < 0) {
      return null;
    }
    byte[] name = java.util.Arrays.copyOfRange(decoded, 0, colon);
    byte[] pass = java.util.Arrays.copyOfRange(decoded, colon + 1, decoded.length);
    return users.authenticate(name, pass);
  }

  private void connect(Conn conn, InetSocketAddress source, String authority, String user)
      throws IOException {
    OutputStream out = conn.out();
    Destination target;
    try {
      target = Destination.parse(authority);
    } catch (IllegalArgumentException e) {
      respond(out, 400, "bad CONNECT target", true);
      return;
    }
    Metadata m = Metadata.of(tag, type, Network.TCP, source, target).withUser(user);
    router.routeConnection(
        conn,
        m,
        new Handshake() {
          @Override
          public void succeed() throws IOException {
            out.write(
                "HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
          }

          @Override
          public void fail(Exception cause) throws IOException {
            respond(out, statusFor(cause), cause.getMessage(), true);
          }
        });
  }

  /** Routes a new upstream; on failure answers the client and returns null. */
  private Upstream open(Destination target, InetSocketAddress source, String user, OutputStream out)
      throws IOException {
    Metadata m = Metadata.of(tag, type, Network.TCP, source, target).withUser(user);
    try {
      Conn conn = router.open(m);
      return new Upstream(target, conn, new BufferedHeadInput(conn.in()));
    } catch (IOException e) {
      respond(out, statusFor(e), e.getMessage(), false);
      return null;
    }
  }

  /** Sends one request upstream and its response back; returns whether to keep the client. */
  private static boolean forward(
      HttpHead head,
      String[] parts,
      InputStream in,
      OutputStream out,
      Upstream upstream,
      byte[] buf)
      throws IOException {
    URI uri;
    try {
      uri = new URI(parts[1]);
    } catch (URISyntaxException e) {
      throw new HttpHead.HttpException(400, "bad request target");
    }
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (uri.getRawQuery() != null) {
      path += "?" + uri.getRawQuery();
    }
    boolean clientKeepAlive =
        parts[2].equals("HTTP/1.1")
            ? !head.hasToken("Connection", "close") && !head.hasToken("Proxy-Connection", "close")
            : head.hasToken("Connection", "keep-alive")
                || head.hasToken("Proxy-Connection", "keep-alive");
    List<HttpHead.Header> headers = new ArrayList<>(head.endToEndHeaders());
    if (head.header("Host") == null) {
      headers.addFirst(new HttpHead.Header("Host", uri.getRawAuthority()));
    }
    HttpBody.Framing requestFraming = HttpBody.requestFraming(head);
    OutputStream up = upstream.conn().out();
    HttpHead.write(up, parts[0] + " " + path + " HTTP/1.1", headers);
    HttpBody.copy(requestFraming, head, in, up, buf);
    HttpHead response = HttpHead.read(upstream.in());
    if (response == null) {
      throw new IOException("upstream closed without a response");
    }
    String[] rp = response.startParts();
    if (rp.length < 2 || !rp[0].startsWith("HTTP/1.")) {
      throw new HttpHead.HttpException(502, "malformed upstream status line");
    }
    HttpBody.Framing responseFraming = HttpBody.responseFraming(response, parts[0]);
    boolean upstreamKeepAlive =
        rp[0].equals("HTTP/1.1")
            ? !response.hasToken("Connection", "close")
            : response.hasToken("Connection", "keep-alive");
    boolean keep =
        clientKeepAlive && upstreamKeepAlive && responseFraming != HttpBody.Framing.UNTIL_CLOSE;
    List<HttpHead.Header> rh = new ArrayList<>(response.endToEndHeaders());
    rh.add(new HttpHead.Header("Connection", keep ? "keep-alive" : "close"));
    HttpHead.write(out, "HTTP/1.1 " + rp[1] + (rp.length > 2 ? " " + rp[2] : ""), rh);
    HttpBody.copy(responseFraming, response, upstream.in(), out, buf);
    return keep;
  }

  /** Destination of an absolute http:// URI, or null. */
  static Destination absoluteTarget(String target) {
    try {
      URI uri = new URI(target);
      if (uri.getScheme() == null
          || !uri.getScheme().equalsIgnoreCase("http")
          || uri.getHost() == null) {
        return null;
      }
      return Destination.of(uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort());
    } catch (URISyntaxException | IllegalArgumentException e) {
      return null;
    }
  }

  static int statusFor(Exception e) {
    return switch (e) {
      case RejectedException r -> 403;
      case SocketTimeoutException t -> 504;
      default -> 502;
    };
  }

  static void respond(OutputStream out, int status, String reason, boolean close)
      throws IOException {
    String phrase =
        switch (status) {
          case 400 -> "Bad Request";
          case 403 -> "Forbidden";
          case 414 -> "URI Too Long";
          case 431 -> "Request Header Fields Too Large";
          case 504 -> "Gateway Timeout";
          default -> "Bad Gateway";
        };
    byte[] body = ((reason == null ? phrase : reason) + "\n").getBytes(StandardCharsets.UTF_8);
    List<HttpHead.Header> h = new ArrayList<>();
    h.add(new HttpHead.Header("Content-Type", "text/plain; charset=utf-8"));
    h.add(new HttpHead.Header("Content-Length", Integer.toString(body.length)));
    if (close) {
      h.add(new HttpHead.Header("Connection", "close"));
    }
    HttpHead.write(out, "HTTP/1.1 " + status + " " + phrase, h);
    out.write(body);
    out.flush();
  }

  private static void closeQuietly(Upstream u) {
    if (u != null) {
      try {
        u.conn().close();
      } catch (IOException e) {
        LOG.trace("closing upstream pipe: {}", e.toString());
      }
    }
  }
}
