package dev.umbra.dns.dhcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client's exchange against a responder on loopback that also sends hostile replies. */
@Timeout(30)
class DhcpClientTest {
  static final byte[] MAC = DhcpCodecTest.MAC;
  static final byte[] NS = {10, 9, 9, 9};

  static DhcpClient.Endpoint endpoint(FakeDhcpServer server) {
    return new DhcpClient.Endpoint(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), server.address(), null);
  }

  static Inet4Address loopback() {
    return (Inet4Address) InetAddress.getLoopbackAddress();
  }

  @Test
  void informIsAnsweredAndHostileRepliesAreDropped() throws Exception {
    try (FakeDhcpServer server =
        new FakeDhcpServer(r -> {
          byte[] other = MAC.clone();
          other[5] ^= 1;
          return List.of(
              new byte[] {1, 2, 3}, // garbage
              FakeDhcpServer.reply(2, r.xid() + 1, r.chaddr(), DhcpMessage.ACK, NS), // xid
              FakeDhcpServer.reply(2, r.xid(), other, DhcpMessage.ACK, NS), // someone else
              FakeDhcpServer.reply(1, r.xid(), r.chaddr(), DhcpMessage.ACK, NS), // a request
              FakeDhcpServer.offer(r, NS), // not what INFORM gets
              FakeDhcpServer.ack(r), // no DNS servers
              FakeDhcpServer.reply(2, r.xid(), r.chaddr(), DhcpMessage.NAK, NS),
              FakeDhcpServer.ack(r, NS, new byte[] {10, 9, 9, 10}));
        })) {
      DhcpAnswer a =
          new DhcpClient("t", Duration.ofSeconds(5), Duration.ofSeconds(5))
              .query(endpoint(server), loopback(), MAC);
      assertThat(a.via()).isEqualTo("ACK");
      assertThat(a.dnsServers())
          .containsExactly(
              (Inet4Address) InetAddress.getByName("10.9.9.9"),
              (Inet4Address) InetAddress.getByName("10.9.9.10"));
      assertThat(a.search()).containsExactly("test");
      assertThat(a.server()).isEqualTo(loopback());
      DhcpMessage inform = server.requests.getFirst();
      assertThat(inform.messageType()).isEqualTo(DhcpMessage.INFORM);
      assertThat(inform.ciaddr()).isEqualTo(loopback());
      assertThat(inform.chaddr()).isEqualTo(MAC);
    }
  }

  @Test
  void discoverFollowsWhenInformGetsNoAnswer() throws Exception {
    try (FakeDhcpServer server =
        new FakeDhcpServer(r ->
            r.messageType() == DhcpMessage.DISCOVER
                ? List.of(FakeDhcpServer.offer(r, NS))
                : List.of())) {
      DhcpAnswer a =
          new DhcpClient("t", Duration.ofMillis(400), Duration.ofSeconds(5))
              .query(endpoint(server), loopback(), MAC);
      assertThat(a.via()).isEqualTo("OFFER");
      assertThat(a.dnsServers()).containsExactly((Inet4Address) InetAddress.getByAddress(NS));
      List<Integer> types = server.requests.stream().map(DhcpMessage::messageType).toList();
      // INFORM sent twice (once again halfway through its wait), then DISCOVER
      assertThat(types).startsWith(DhcpMessage.INFORM, DhcpMessage.INFORM, DhcpMessage.DISCOVER);
      DhcpMessage discover = server.requests.get(2);
      assertThat(discover.flags()).isEqualTo(DhcpMessage.FLAG_BROADCAST);
      assertThat(discover.ciaddr().isAnyLocalAddress()).isTrue();
    }
  }

  @Test
  void noAnswerAtAllIsATimeout() throws Exception {
    try (FakeDhcpServer server = new FakeDhcpServer(r -> List.of())) {
      assertThatThrownBy(() ->
              new DhcpClient("t", Duration.ofMillis(200), Duration.ofMillis(200))
                  .query(endpoint(server), loopback(), MAC))
          .isInstanceOf(SocketTimeoutException.class)
          .hasMessageContaining("no DHCP server answered");
      assertThat(server.requests).hasSizeGreaterThanOrEqualTo(2);
    }
  }
}
