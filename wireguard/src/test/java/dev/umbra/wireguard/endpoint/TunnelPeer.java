package dev.umbra.wireguard.endpoint;

import dev.umbra.netstack.IpPrefix;
import dev.umbra.netstack.NetStack;
import dev.umbra.netstack.TcpAcceptor;
import dev.umbra.netstack.TcpConn;
import dev.umbra.netstack.UdpSocket;
import dev.umbra.wireguard.device.DeviceConfig;
import dev.umbra.wireguard.device.PeerConfig;
import dev.umbra.wireguard.device.WireGuardDevice;
import dev.umbra.wireguard.noise.StaticIdentity;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The far side of a tunnel for endpoint tests: a plain device and netstack on 127.0.0.1, owning
 * {@code ip}, with one peer (the endpoint under test) routed {@code allowed}.
 */
final class TunnelPeer implements AutoCloseable {
  final StaticIdentity id = StaticIdentity.generate();
  final InetAddress ip;
  final DatagramChannel channel;
  NetStack stack;
  WireGuardDevice device;

  TunnelPeer(String ip) throws IOException {
    this.ip = InetAddress.getByName(ip);
    this.channel = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
  }

  int port() throws IOException {
    return ((InetSocketAddress) channel.getLocalAddress()).getPort();
  }

  String publicKey() {
    return StaticIdentity.encodeKey(id.publicKey());
  }

  /** Starts with the endpoint as its only peer (endpoint unknown: the endpoint calls first). */
  TunnelPeer start(byte[] endpointPublicKey, InetSocketAddress endpoint, String... allowed)
      throws IOException {
    stack = new NetStack(List.of(ip), (p, off, len) -> device.send(p, off, len));
    PeerConfig peer =
        new PeerConfig(
            endpointPublicKey,
            null,
            endpoint,
            java.util.Arrays.stream(allowed).map(IpPrefix::parse).toList(),
            Duration.ZERO,
            null);
    device =
        WireGuardDevice.start(new DeviceConfig(id, List.of(peer), 1420), channel, stack::input);
    return this;
  }

  /** A UDP socket in the tunnel that answers each datagram upper-cased, for {@code seconds}. */
  UdpSocket upperCaseEcho(int port, int seconds) throws IOException {
    UdpSocket s = stack.openUdp(ip, port);
    s.setReadTimeout(seconds * 1000);
    Thread.ofVirtual()
        .start(() -> {
          ByteBuffer buf = ByteBuffer.allocate(2048);
          try {
            while (true) {
              buf.clear();
              var from = s.receive(buf);
              String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
              s.send(
                  ByteBuffer.wrap(text.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8)),
                  from);
            }
          } catch (IOException e) {
            // timed out or closed: the test is over
          }
        });
    return s;
  }

  /** Accepts TCP to {@code port} on any address and echoes each connection's bytes back. */
  void tcpEcho(int port) {
    stack.serveTcp(
        new TcpAcceptor() {
          @Override
          public boolean accepts(InetSocketAddress local, InetSocketAddress remote) {
            return local.getPort() == port;
          }

          @Override
          public void accepted(TcpConn conn) {
            try (conn) {
              conn.in().transferTo(conn.out());
              conn.shutdownOutput();
            } catch (IOException e) {
              // the test reports what it did not get back
            }
          }
        });
  }

  @Override
  public void close() throws IOException {
    if (stack != null) {
      stack.close();
    }
    if (device != null) {
      device.close();
    } else {
      channel.close();
    }
  }
}
