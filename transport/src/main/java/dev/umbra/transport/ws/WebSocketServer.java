package dev.umbra.transport.ws;

import dev.umbra.core.net.Conn;
import dev.umbra.transport.ServerTransport;
import dev.umbra.transport.StreamConn;
import dev.umbra.transport.TransportOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.SequenceInputStream;
import java.net.ProtocolException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The server of the {@code ws} and {@code httpupgrade} transports: checks the request line and
 * upgrade headers, answers 101 (or 404/400 and closes), and decodes early data from the path or the
 * configured header.
 */
public final class WebSocketServer implements ServerTransport {
  private final TransportOptions options;
  private final boolean upgradeOnly;

  public WebSocketServer(TransportOptions options, boolean upgradeOnly) {
    this.options = options;
    this.upgradeOnly = upgradeOnly;
  }

  @Override
  public Conn accept(Conn carrier) throws IOException {
    HttpMessage request = HttpMessage.read(carrier.in());
    String[] line = request.startLine().split(" ", -1);
    if (line.length != 3 || !line[0].equals("GET") || !line[2].startsWith("HTTP/1.")) {
      refuse(carrier, "400 Bad Request");
      throw new ProtocolException("not an HTTP/1.1 GET: " + request.startLine());
    }
    String target = line[1];
    String path = options.pathOrRoot();
    String header = options.earlyDataHeaderName();
    boolean earlyInPath =
        !upgradeOnly && options.maxEarlyDataOrZero() > 0 && (header == null || header.isEmpty());
    byte[] early = null;
    if (earlyInPath) {
      if (!target.startsWith(path)) {
        refuse(carrier, "404 Not Found");
        throw new ProtocolException("request for " + target + ", expected " + path);
      }
      early = decode(target.substring(path.length()));
    } else {
      // the query is not part of the path (Xray-style clients add "?ed=2048")
      int query = target.indexOf('?');
      if (!(query < 0 ? target : target.substring(0, query)).equals(path)) {
        refuse(carrier, "404 Not Found");
        throw new ProtocolException("request for " + target + ", expected " + path);
      }
      if (!upgradeOnly && header != null && !header.isEmpty()) {
        String v = request.header(header);
        early = v == null ? null : decode(v);
      }
    }
    if (upgradeOnly && options.host() != null && !options.host().isEmpty()) {
      String host = request.header("Host");
      if (host == null || !host.equalsIgnoreCase(options.host().getFirst())) {
        refuse(carrier, "404 Not Found");
        throw new ProtocolException("request for host " + host);
      }
    }
    if (!request.headerContains("upgrade", "websocket")) {
      refuse(carrier, "400 Bad Request");
      throw new ProtocolException("request without Upgrade: websocket");
    }
    List<String[]> headers = new ArrayList<>();
    headers.add(new String[] {"Connection", "Upgrade"});
    headers.add(new String[] {"Upgrade", "websocket"});
    if (!upgradeOnly) {
      String key = request.header("Sec-WebSocket-Key");
      if (key == null || key.isEmpty()) {
        refuse(carrier, "400 Bad Request");
        throw new ProtocolException("WebSocket request without Sec-WebSocket-Key");
      }
      headers.add(new String[] {"Sec-WebSocket-Accept", Handshakes.accept(key)});
      String protocol = request.header("Sec-WebSocket-Protocol");
      if (protocol != null && header != null && header.equalsIgnoreCase("Sec-WebSocket-Protocol")) {
        headers.add(new String[] {"Sec-WebSocket-Protocol", protocol});
      }
    }
    new HttpMessage("HTTP/1.1 101 Switching Protocols", headers).write(carrier.out());
    Conn c =
        upgradeOnly
            ? new StreamConn(carrier, carrier.in(), carrier.out())
            : new WebSocketConn(carrier, carrier.in(), false);
    if (early == null || early.length == 0) {
      return c;
    }
    return new StreamConn(
        c,
        new SequenceInputStream(new ByteArrayInputStream(early), c.in()),
        c.out(),
        c::shutdownOutput);
  }

  private byte[] decode(String s) throws ProtocolException {
    if (s.isEmpty()) {
      return null;
    }
    try {
      byte[] b = Base64.getUrlDecoder().decode(s);
      if (b.length > Math.max(options.maxEarlyDataOrZero(), 0)
          && options.maxEarlyDataOrZero() > 0) {
        throw new ProtocolException("early data longer than max_early_data");
      }
      return b;
    } catch (IllegalArgumentException e) {
      throw new ProtocolException("early data is not base64url");
    }
  }

  private static void refuse(Conn carrier, String status) {
    try {
      new HttpMessage("HTTP/1.1 " + status, List.<String[]>of(new String[] {"Content-Length", "0"}))
          .write(carrier.out());
    } catch (IOException ignored) {
      // the client is gone; the caller closes anyway
    }
  }
}
