package dev.umbra.transport.http;

import dev.umbra.core.net.Conn;
import dev.umbra.transport.ServerStack;
import dev.umbra.transport.SessionServerTransport;
import dev.umbra.transport.StreamConn;
import dev.umbra.transport.StreamHandler;
import dev.umbra.transport.TransportOptions;
import dev.umbra.transport.h2.H2Preface;
import dev.umbra.transport.h2.H2Server;
import dev.umbra.transport.ws.HttpMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.ProtocolException;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.MetaData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server of the {@code http} transport, as sing-box's: HTTP/2 (over TLS, or h2c with prior
 * knowledge) and HTTP/1.1 on the same port. A request for another host gets 400, another path (the
 * configured one is a prefix) or method 404; an accepted one gets 200 with {@code Cache-Control:
 * no-store} and the configured headers, then carries the stream.
 */
public final class HttpServer implements SessionServerTransport {
  private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);

  private final TransportOptions options;
  private final H2Server h2;

  public HttpServer(TransportOptions options) {
    this.options = options;
    this.h2 = new H2Server("http-h2", this::check, options.idleTimeoutOrZero());
  }

  private H2Server.Verdict check(MetaData.Request r) {
    String refusal =
        refusal(r.getHttpURI().getAuthority(), r.getHttpURI().getPath(), r.getMethod());
    if (refusal != null) {
      return H2Server.Verdict.refuse(refusal.startsWith("bad host") ? 400 : 404, refusal);
    }
    HttpFields.Mutable headers = HttpFields.build();
    headers.put("Cache-Control", "no-store");
    for (var e : options.headersOrEmpty().entrySet()) {
      for (String v : e.getValue()) {
        headers.put(e.getKey(), v);
      }
    }
    return new H2Server.Verdict(200, "", headers, null);
  }

  /** Why sing-box would refuse this request, or null. */
  private String refusal(String host, String path, String method) {
    List<String> hosts = options.host();
    if (hosts != null && !hosts.isEmpty() && !hosts.contains(host)) {
      return "bad host: " + host;
    }
    if (path == null || !path.startsWith(options.pathOrRoot())) {
      return "bad path: " + path;
    }
    if (options.method() != null
        && !options.method().isEmpty()
        && !options.method().equals(method)) {
      return "bad method: " + method;
    }
    return null;
  }

  @Override
  public void serve(Conn carrier, String alpn, StreamHandler handler) throws IOException {
    byte[] seen = H2Preface.sniff(carrier.in());
    if (H2Preface.isComplete(seen)) {
      h2.serve(carrier, seen, alpn, handler);
      return;
    }
    InputStream in = new SequenceInputStream(new ByteArrayInputStream(seen), carrier.in());
    HttpMessage request = HttpMessage.read(in);
    String[] line = request.startLine().split(" ", -1);
    if (line.length != 3 || !line[2].startsWith("HTTP/1.")) {
      refuse(carrier, "400 Bad Request");
      throw new ProtocolException("not an HTTP/1.1 request: " + request.startLine());
    }
    String target = line[1];
    int query = target.indexOf('?');
    String path = query < 0 ? target : target.substring(0, query);
    String refusal = refusal(request.header("Host"), path, line[0]);
    if (refusal != null) {
      refuse(carrier, refusal.startsWith("bad host") ? "400 Bad Request" : "404 Not Found");
      LOG.warn(
          "http transport: {}: refused {}: {}",
          carrier.remoteAddress(),
          request.startLine(),
          refusal);
      throw new ProtocolException(refusal);
    }
    List<String[]> headers = new ArrayList<>();
    headers.add(new String[] {"Cache-Control", "no-store"});
    for (var e : options.headersOrEmpty().entrySet()) {
      headers.add(new String[] {e.getKey(), String.join(", ", e.getValue())});
    }
    new HttpMessage("HTTP/1.1 200 OK", headers).write(carrier.out());
    handler.handle(new ServerStack.Accepted(new StreamConn(carrier, in, carrier.out()), alpn));
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
