package dev.umbra.netstack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.core.net.Destination;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The UDP forwarder: datagrams to any address grouped per sender, answered from their target. */
class UdpForwarderTest {

  private static final class Flows implements UdpAcceptor {
    final BlockingQueue<UdpFlow> accepted = new LinkedBlockingQueue<>();
    volatile boolean accept = true;

    @Override
    public boolean accepts(InetSocketAddress local, InetSocketAddress remote) {
      return accept;
    }

    @Override
    public void accepted(UdpFlow flow) {
      accepted.add(flow);
    }
  }

  private static Destination.Ip dst(String ip, int port) {
    return new Destination.Ip(TestNet.ip(ip), port);
  }

  @Test
  void datagramsToAnyAddressFormOneFlowPerSenderAndRepliesComeFromTheirTarget() throws Exception {
    StackSettings quick = StackSettings.defaults().withUdp(Duration.ofMillis(300), 16);
    try (TestNet net = new TestNet(30, StackSettings.defaults(), quick)) {
      Flows flows = new Flows();
      net.b.serveUdp(flows);
      UdpSocket client = net.a.openUdp(TestNet.ip("10.0.0.1"), 0);
      client.setReadTimeout(5000);
      client.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), dst("198.51.100.9", 53));
      UdpFlow flow = flows.accepted.poll(5, TimeUnit.SECONDS);
      assertThat(flow).isNotNull();
      assertThat(flow.remoteAddress()).isEqualTo(client.localAddress());
      assertThat(flow.localAddress())
          .isEqualTo(new InetSocketAddress(TestNet.ip("198.51.100.9"), 53));
      flow.setReadTimeout(5000);
      ByteBuffer buf = ByteBuffer.allocate(100);
      assertThat(flow.receive(buf)).isEqualTo(dst("198.51.100.9", 53));
      assertThat(buf.position()).isEqualTo(3);
      // a second destination from the same sender joins the same flow
      client.send(ByteBuffer.wrap(new byte[] {4}), dst("203.0.113.5", 123));
      buf.clear();
      assertThat(flow.receive(buf)).isEqualTo(dst("203.0.113.5", 123));
      assertThat(flows.accepted).isEmpty();
      // answers come from the address the sender asked for
      flow.send(ByteBuffer.wrap(new byte[] {9, 9}), dst("203.0.113.5", 123));
      buf.clear();
      assertThat(client.receive(buf)).isEqualTo(dst("203.0.113.5", 123));
      assertThat(buf.position()).isEqualTo(2);
      assertThat(flow.idleTimeout()).isEqualTo(Duration.ofMillis(300));
      // silence closes the flow
      assertThat(TestNet.await(() -> net.b.udpFlowCount() == 0, Duration.ofSeconds(10))).isTrue();
      // a refusing forwarder drops datagrams
      flows.accept = false;
      client.send(ByteBuffer.wrap(new byte[] {5}), dst("198.51.100.9", 53));
      assertThat(flows.accepted.poll(300, TimeUnit.MILLISECONDS)).isNull();
      assertThat(net.b.udpFlowCount()).isZero();
    }
  }

  @Test
  void boundSocketsStillTakeTheirOwnDatagrams() throws Exception {
    try (TestNet net = new TestNet(31)) {
      Flows flows = new Flows();
      net.b.serveUdp(flows);
      UdpSocket server = net.b.openUdp(TestNet.ip("10.0.0.2"), 7000);
      server.setReadTimeout(5000);
      UdpSocket client = net.a.openUdp(TestNet.ip("10.0.0.1"), 0);
      client.send(ByteBuffer.wrap(new byte[] {1}), dst("10.0.0.2", 7000));
      assertThat(server.receive(ByteBuffer.allocate(10)))
          .isEqualTo(new Destination.Ip(TestNet.ip("10.0.0.1"), client.localAddress().getPort()));
      assertThat(flows.accepted).isEmpty();
    }
  }
}
