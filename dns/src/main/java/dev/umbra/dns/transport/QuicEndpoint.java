package dev.umbra.dns.transport;

import dev.umbra.core.adapter.Dialer;
import dev.umbra.core.adapter.Resolver;
import dev.umbra.core.config.DomainStrategy;
import dev.umbra.core.dial.AddressOrder;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.PacketConnSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import javax.net.ssl.X509TrustManager;
import tech.kwik.core.QuicClientConnection;

/**
 * Where a QUIC-based DNS server is and how to reach it, shared by DoQ and DoH3. kwik is given the
 * TLS name ({@code tls.server_name}, else {@code server}) as its host, which it sends as SNI, and
 * the address to connect to separately; its UDP socket is a {@link PacketConnSocket} over the
 * dialer, so dial fields and {@code detour} apply. A server named by domain is resolved here with
 * the server's resolver ({@code domain_resolver}, else the system's), except through a detour,
 * where the name goes to the outbound as sing-box does.
 */
public final class QuicEndpoint {
  static final Duration IDLE = Duration.ofSeconds(30);

  /** Stands in for the address kwik wants when the detour resolves the name. */
  private static final InetAddress BY_NAME = InetAddress.ofLiteral("0.0.0.0");

  static {
    // kwik prints a warning on stdout when its certificate check is switched off; here the check
    // is not dropped but replaced by ServerIdentity (see open)
    if (System.getProperty("tech.kwik.core.no-security-warnings") == null) {
      System.setProperty("tech.kwik.core.no-security-warnings", "true");
    }
  }

  private final Destination server;
  private final String tlsName;
  private final X509TrustManager trust;
  private final Dialer dialer;
  private final boolean detour;
  private final Resolver resolver;
  private final DomainStrategy strategy;

  /**
   * @param chain the configured certificate check (CA, insecure, pins)
   * @param checkName whether the certificate must also name {@code tlsName}
   * @param detour whether {@code dialer} goes through an outbound
   */
  public QuicEndpoint(
      Destination server,
      String tlsName,
      X509TrustManager chain,
      boolean checkName,
      Dialer dialer,
      boolean detour,
      Resolver resolver,
      DomainStrategy strategy) {
    this.server = server;
    this.tlsName = tlsName;
    this.trust = new ServerIdentity(chain, tlsName, checkName);
    this.dialer = dialer;
    this.detour = detour;
    this.resolver = resolver;
    this.strategy = strategy;
  }

  public Destination server() {
    return server;
  }

  public String tlsName() {
    return tlsName;
  }

  /**
   * A connected QUIC connection with ALPN {@code alpn}: each address of the server in turn until
   * one handshakes or {@code timeout} has passed. {@code beforeConnect} runs on the built
   * connection before its handshake (to install stream callbacks).
   */
  QuicClientConnection open(
      String alpn,
      Duration timeout,
      Consumer<QuicClientConnection.Builder> options,
      Consumer<QuicClientConnection> beforeConnect)
      throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    IOException last = null;
    for (Target t : targets()) {
      Duration left = Duration.ofNanos(deadline - System.nanoTime());
      if (left.toMillis() < 1) {
        break;
      }
      Destination peer = t.peer();
      InetAddress address = t.stamp();
      AtomicReference<PacketConnSocket> socket = new AtomicReference<>();
      QuicClientConnection.Builder b =
          QuicClientConnection.newBuilder()
              .host(tlsName)
              .port(server.port())
              .proxy(address.getHostAddress())
              .socketFactory(ignored -> {
                PacketConnSocket s =
                    PacketConnSocket.open(
                        dialer::listenPacket, peer, new InetSocketAddress(address, server.port()));
                socket.set(s);
                return s;
              })
              .applicationProtocol(alpn)
              .connectTimeout(left)
              .maxIdleTimeout(IDLE)
              // kwik's host-name check knows no IP SANs: ServerIdentity checks chain and name
              .noServerCertificateCheck()
              .customTrustManager(trust);
      options.accept(b);
      QuicClientConnection c = null;
      try {
        c = b.build();
        beforeConnect.accept(c);
        c.connect();
        return c;
      } catch (IOException | RuntimeException e) {
        if (c != null) {
          c.close();
        }
        PacketConnSocket s = socket.get();
        if (s != null) {
          s.close();
        }
        last =
            e instanceof IOException io
                ? io
                : new IOException("QUIC connection to " + peer + " failed: " + e, e);
      }
    }
    if (last == null) {
      last = new java.net.SocketTimeoutException("QUIC connection to " + server + " timed out");
    }
    throw last;
  }

  /** Where the datagrams go, and the address kwik is told it talks to. */
  private record Target(Destination peer, InetAddress stamp) {}

  private List<Target> targets() throws IOException {
    return switch (server) {
      case Destination.Ip ip -> List.of(new Target(ip, ip.address()));
      case Destination.Domain d when detour -> List.of(new Target(d, BY_NAME));
      case Destination.Domain d -> {
        List<InetAddress> all = AddressOrder.apply(strategy, resolver.resolve(d.name()));
        if (all.isEmpty()) {
          throw new IOException("no usable address for DNS server " + d.name());
        }
        yield all.stream().map(a -> new Target(new Destination.Ip(a, d.port()), a)).toList();
      }
    };
  }
}
