package dev.umbra.dns.transport;

import dev.umbra.dns.message.DnsCodec;
import dev.umbra.dns.message.DnsLimits;
import dev.umbra.testkit.TestCerts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpHeaders;
import java.nio.file.Files;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import tech.kwik.core.server.ServerConnectionConfig;
import tech.kwik.core.server.ServerConnector;
import tech.kwik.flupke.server.Http3ApplicationProtocolFactory;
import tech.kwik.flupke.server.HttpServerRequest;
import tech.kwik.flupke.server.HttpServerResponse;

/**
 * A DoH3 server side for tests, on flupke's HTTP/3 server over kwik (no Debian package serves DNS
 * over HTTP/3). It records each request as flupke decoded it (method, path, authority, fields,
 * body) and answers A queries with 192.0.2.53. Some names misbehave on purpose: {@code bad-id.test}
 * (answer with ID 7), {@code status.test} (HTTP 503), {@code type.test} (text/plain), {@code
 * big.test} (a 70,000-byte body) and {@code slow.test} (answers after {@link #slowMillis}).
 */
public final class Doh3TestServer implements AutoCloseable {
  public record Request(
      String method, String path, String authority, HttpHeaders headers, byte[] body) {}

  public final List<Request> requests = new CopyOnWriteArrayList<>();

  /** The client ports seen, one per QUIC connection. */
  public final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();

  /** How long {@code slow.test} waits for its answer. */
  public volatile long slowMillis = 3000;

  private final DatagramSocket socket;
  private final ServerConnector connector;

  public Doh3TestServer(TestCerts certs) throws Exception {
    socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    try (InputStream cert = Files.newInputStream(certs.certificate());
        InputStream key = Files.newInputStream(certs.key())) {
      connector =
          ServerConnector.builder()
              .withSocket(socket)
              .withLogger(new tech.kwik.core.log.NullLogger())
              .withCertificate(cert, key)
              .withConfiguration(
                  ServerConnectionConfig.builder()
                      .maxIdleTimeoutInSeconds(30)
                      .maxOpenPeerInitiatedUnidirectionalStreams(10)
                      .maxOpenPeerInitiatedBidirectionalStreams(100)
                      .maxUnidirectionalStreamBufferSize(1 << 16)
                      .maxBidirectionalStreamBufferSize(1 << 17)
                      .maxConnectionBufferSize(1 << 20)
                      .build())
              .build();
    }
    connector.registerApplicationProtocol("h3", new Http3ApplicationProtocolFactory(this::serve));
    connector.start();
  }

  public int port() {
    return socket.getLocalPort();
  }

  private void serve(HttpServerRequest request, HttpServerResponse response) throws IOException {
    byte[] body = request.body().readAllBytes();
    requests.add(
        new Request(
            request.method(), request.path(), request.authority(), request.headers(), body));
    clientPorts.add(request.remoteAddress().getPort());
    byte[] wire = body;
    if (request.method().equals("GET")) {
      String p = request.path();
      int at = p.indexOf("dns=");
      wire = Base64.getUrlDecoder().decode(p.substring(at + 4));
    }
    Message q = DnsCodec.parse(wire, DnsLimits.QUERY);
    Record question = q.getQuestion();
    String name = question.getName().toString();
    if (name.equals("status.test.")) {
      response.setStatus(503);
      response.getOutputStream().close();
      return;
    }
    if (name.equals("slow.test.")) {
      try {
        Thread.sleep(slowMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Message r = new Message(q.getHeader().getID());
    r.getHeader().setFlag(Flags.QR);
    r.addRecord(question, Section.QUESTION);
    if (name.equals("bad-id.test.")) {
      r.getHeader().setID(7);
    }
    r.addRecord(
        new ARecord(
            question.getName(),
            question.getDClass(),
            60,
            InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 53})),
        Section.ANSWER);
    byte[] out = name.equals("big.test.") ? new byte[70_000] : DnsCodec.encode(r);
    response.setStatus(200);
    response.addHeader(
        "content-type", name.equals("type.test.") ? "text/plain" : "application/dns-message");
    OutputStream o = response.getOutputStream();
    o.write(out);
    o.close();
  }

  @Override
  public void close() {
    connector.close();
    socket.close();
  }
}
