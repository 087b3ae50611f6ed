package dev.umbra.dns.transport;

import dev.umbra.dns.message.DnsCodec;
import dev.umbra.dns.message.DnsLimits;
import dev.umbra.testkit.TestCerts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import tech.kwik.core.QuicConnection;
import tech.kwik.core.QuicStream;
import tech.kwik.core.server.ApplicationProtocolConnection;
import tech.kwik.core.server.ApplicationProtocolConnectionFactory;
import tech.kwik.core.server.ServerConnectionConfig;
import tech.kwik.core.server.ServerConnector;

/**
 * A DoQ server side for tests, on kwik's QUIC server (no Debian package serves DoQ). It records the
 * raw bytes of every request stream up to the client's FIN, so tests can check RFC 9250's framing
 * byte by byte, and answers A queries with 192.0.2.53 (ID 0, length prefix, FIN). Queries for
 * {@code bad-id.test} get an answer with message ID 7, a protocol violation.
 */
final class DoqTestServer implements AutoCloseable {
  final List<byte[]> requests = new CopyOnWriteArrayList<>();
  final AtomicInteger connections = new AtomicInteger();
  private final DatagramSocket socket;
  private final ServerConnector connector;

  DoqTestServer(TestCerts certs) throws Exception {
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
                      .maxOpenPeerInitiatedBidirectionalStreams(100)
                      .maxBidirectionalStreamBufferSize(1 << 16)
                      .maxConnectionBufferSize(1 << 20)
                      .build())
              .build();
    }
    connector.registerApplicationProtocol(
        "doq",
        new ApplicationProtocolConnectionFactory() {
          @Override
          public ApplicationProtocolConnection createConnection(
              String protocol, QuicConnection connection) {
            connections.incrementAndGet();
            return new ApplicationProtocolConnection() {
              @Override
              public void acceptPeerInitiatedStream(QuicStream stream) {
                Thread.ofVirtual().start(() -> serve(stream));
              }
            };
          }

          @Override
          public int maxConcurrentPeerInitiatedBidirectionalStreams() {
            return 100;
          }
        });
    connector.start();
  }

  int port() {
    return socket.getLocalPort();
  }

  private void serve(QuicStream stream) {
    try {
      // everything up to the client's FIN: readAllBytes only returns once the stream is finished
      byte[] raw = stream.getInputStream().readAllBytes();
      requests.add(raw);
      int length = ((raw[0] & 0xff) << 8) | (raw[1] & 0xff);
      Message q = DnsCodec.parse(raw, 2, length, DnsLimits.QUERY);
      Message r = new Message(q.getHeader().getID());
      r.getHeader().setFlag(Flags.QR);
      r.addRecord(q.getQuestion(), Section.QUESTION);
      Record question = q.getQuestion();
      if (question.getName().toString().equals("bad-id.test.")) {
        r.getHeader().setID(7);
      }
      r.addRecord(
          new ARecord(
              question.getName(),
              question.getDClass(),
              60,
              InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 53})),
          Section.ANSWER);
      byte[] wire = DnsCodec.encode(r);
      ByteArrayOutputStream framed = new ByteArrayOutputStream();
      framed.write(wire.length >> 8);
      framed.write(wire.length & 0xff);
      framed.write(wire);
      OutputStream out = stream.getOutputStream();
      out.write(framed.toByteArray());
      out.close();
    } catch (IOException | RuntimeException e) {
      stream.resetStream(0x2);
    }
  }

  @Override
  public void close() {
    connector.close();
    socket.close();
  }
}
