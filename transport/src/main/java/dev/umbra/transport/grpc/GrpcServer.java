package dev.umbra.transport.grpc;

import dev.umbra.core.net.Conn;
import dev.umbra.transport.ServerStack;
import dev.umbra.transport.SessionServerTransport;
import dev.umbra.transport.StreamHandler;
import dev.umbra.transport.TransportOptions;
import dev.umbra.transport.h2.H2Preface;
import dev.umbra.transport.h2.H2Server;
import java.io.IOException;
import java.net.ProtocolException;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.MetaData;

/**
 * The {@code grpc} transport server: HTTP/2 only (TLS with ALPN h2, or h2c with prior knowledge); a
 * request that is not {@code POST /<service_name>/Tun} with an {@code application/grpc} content
 * type gets 404, as sing-box; an accepted stream answers 200 and ends with {@code grpc-status: 0}.
 */
public final class GrpcServer implements SessionServerTransport {
  private static final HttpFields RESPONSE =
      HttpFields.build().put("content-type", "application/grpc").asImmutable();
  private static final HttpFields TRAILERS =
      HttpFields.build().put("grpc-status", "0").asImmutable();

  private final String path;
  private final H2Server h2;

  public GrpcServer(TransportOptions options) {
    this.path = "/" + options.serviceNameOrEmpty() + "/Tun";
    this.h2 = new H2Server("grpc", this::check, options.idleTimeoutOrZero());
  }

  private H2Server.Verdict check(MetaData.Request r) {
    String p = r.getHttpURI().getDecodedPath();
    if (!path.equals(p)) {
      return H2Server.Verdict.refuse(404, "bad path: " + r.getHttpURI().getPath());
    }
    if (!"POST".equals(r.getMethod())) {
      return H2Server.Verdict.refuse(404, "bad method: " + r.getMethod());
    }
    String ct = r.getHttpFields().get("content-type");
    if (ct == null || !ct.startsWith("application/grpc")) {
      return H2Server.Verdict.refuse(404, "bad content type: " + ct);
    }
    return new H2Server.Verdict(200, "", RESPONSE, TRAILERS);
  }

  @Override
  public void serve(Conn carrier, String alpn, StreamHandler handler) throws IOException {
    byte[] seen = H2Preface.sniff(carrier.in());
    if (!H2Preface.isComplete(seen)) {
      throw new ProtocolException("grpc transport: not an HTTP/2 client preface");
    }
    h2.serve(
        carrier,
        seen,
        alpn,
        stream -> handler.handle(new ServerStack.Accepted(GunConn.over(stream.conn()), alpn)));
  }
}
