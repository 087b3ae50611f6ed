package dev.umbra.core.dial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.adapter.Resolver;
import dev.umbra.core.config.Binder;
import dev.umbra.core.config.DialOptions;
import dev.umbra.core.config.Jsonc;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The dial fields the default dialer honours, each observed on a real loopback connection. */
class DefaultDialerTest {
  private static final InetAddress V4 = InetAddress.getLoopbackAddress();

  private static DefaultDialer dialer(String json, Resolver resolver) {
    DialOptions o = Binder.bind(Jsonc.parse(json, "test"), DialOptions.class, "outbounds[0]");
    return new DefaultDialer(o, null, resolver);
  }

  private static ServerSocket server() throws IOException {
    ServerSocket s = new ServerSocket(0, 50, V4);
    s.setSoTimeout(10_000);
    return s;
  }

  @Test
  void inet4BindAddressIsTheSourceOfTheConnection() throws Exception {
    try (ServerSocket server = server();
        Conn c =
            dialer("{\"inet4_bind_address\": \"127.0.0.2\"}", SystemResolver.INSTANCE)
                .dial(new Destination.Ip(V4, server.getLocalPort()));
        Socket accepted = server.accept()) {
      assertThat(((InetSocketAddress) accepted.getRemoteSocketAddress()).getAddress())
          .isEqualTo(InetAddress.getByAddress(new byte[] {127, 0, 0, 2}));
    }
  }

  @Test
  void connectTimeoutEndsADialThatGetsNoAnswer() throws Exception {
    // A listener that never accepts, its backlog filled: Linux then drops further SYNs, so a
    // connect gets no answer at all.
    try (ServerSocket server = new ServerSocket(0, 1, V4)) {
      List<Socket> fillers = new ArrayList<>();
      try {
        boolean full = false;
        for (int i = 0; i < 16 && !full; i++) {
          Socket s = new Socket();
          fillers.add(s);
          try {
            s.connect(server.getLocalSocketAddress(), 200);
          } catch (SocketTimeoutException e) {
            full = true;
          }
        }
        assertThat(full).as("the backlog filled").isTrue();
        DefaultDialer d = dialer("{\"connect_timeout\": \"300ms\"}", SystemResolver.INSTANCE);
        assertThatThrownBy(() -> d.dial(new Destination.Ip(V4, server.getLocalPort())))
            .isInstanceOf(SocketTimeoutException.class)
            .hasMessageContaining("timed out after PT0.3S");
      } finally {
        for (Socket s : fillers) {
          s.close();
        }
      }
    }
  }

  @Test
  void domainStrategyOrdersAndFiltersTheResolvedAddresses() throws Exception {
    InetAddress v6 =
        InetAddress.getByAddress(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
    Resolver both = domain -> List.of(v6, V4);
    try (ServerSocket server = server()) {
      Destination target = new Destination.Domain("both.test", server.getLocalPort());
      // prefer_ipv4 dials 127.0.0.1 first, where the server listens
      try (Conn c = dialer("{\"domain_strategy\": \"prefer_ipv4\"}", both).dial(target);
          Socket accepted = server.accept()) {
        assertThat(accepted.getInetAddress()).isEqualTo(V4);
      }
      // ipv4_only with only an IPv6 address has nothing to dial
      Resolver onlyV6 = domain -> List.of(v6);
      assertThatThrownBy(() -> dialer("{\"domain_strategy\": \"ipv4_only\"}", onlyV6).dial(target))
          .isInstanceOf(IOException.class)
          .hasMessage("no address of both.test fits domain_strategy ipv4_only");
      // ipv6_only never tries 127.0.0.1: the dial to ::1 (nobody listens there) fails
      assertThatThrownBy(() -> dialer("{\"domain_strategy\": \"ipv6_only\"}", both).dial(target))
          .isInstanceOf(IOException.class);
    }
  }

  /** Where packet protocols that need an address first (QUIC) send: the dial fields decide. */
  @Test
  void packetTargetsFollowTheResolverAndDomainStrategyExceptThroughADetour() throws Exception {
    InetAddress v6 = InetAddress.ofLiteral("::1");
    Resolver both = domain -> List.of(v6, V4);
    Destination named = new Destination.Domain("both.test", 443);
    assertThat(dialer("{\"domain_strategy\": \"prefer_ipv4\"}", both).packetTargets(named))
        .containsExactly(new Destination.Ip(V4, 443), new Destination.Ip(v6, 443));
    assertThat(dialer("{\"domain_strategy\": \"ipv6_only\"}", both).packetTargets(named))
        .containsExactly(new Destination.Ip(v6, 443));
    Resolver onlyV6 = domain -> List.of(v6);
    assertThatThrownBy(
            () -> dialer("{\"domain_strategy\": \"ipv4_only\"}", onlyV6).packetTargets(named))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("ipv4_only");
    // an address is used as it is; a detour gets the name (the outbound resolves it)
    Destination ip = new Destination.Ip(V4, 53);
    assertThat(dialer("{}", both).packetTargets(ip)).containsExactly(ip);
    Resolver never =
        domain -> {
          throw new AssertionError("resolved " + domain);
        };
    assertThat(dialer("{\"detour\": \"socks\"}", never).packetTargets(named))
        .containsExactly(named);
    assertThat(dialer("{\"connect_timeout\": \"3s\"}", both).connectTimeout())
        .isEqualTo(java.time.Duration.ofSeconds(3));
    assertThat(dialer("{}", both).connectTimeout()).isEqualTo(DialOptions.DEFAULT_CONNECT_TIMEOUT);
  }

  @Test
  void unsupportedDialFieldsAreRejectedByPath() {
    for (String field :
        List.of(
            "\"bind_interface\": \"lo\"",
            "\"routing_mark\": 1",
            "\"tcp_fast_open\": true",
            "\"fallback_delay\": \"300ms\"")) {
      String key = field.substring(1, field.indexOf('"', 1));
      assertThatThrownBy(() -> dialer("{" + field + "}", SystemResolver.INSTANCE))
          .hasMessageStartingWith("outbounds[0]." + key + ": ");
    }
  }
}
