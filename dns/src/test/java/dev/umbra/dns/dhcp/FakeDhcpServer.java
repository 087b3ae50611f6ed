package dev.umbra.dns.dhcp;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * Test-only: a DHCP responder on a free loopback port. For every request it reads, it sends back
 * the datagrams {@code responder} returns, to the request's source. Real DHCP servers are tested in
 * the netns interop test; this one exists to send what they would not (hostile replies).
 */
final class FakeDhcpServer implements AutoCloseable {
  final DatagramSocket socket;
  final List<DhcpMessage> requests = new CopyOnWriteArrayList<>();
  volatile Function<DhcpMessage, List<byte[]>> responder;
  private final Thread thread;

  FakeDhcpServer(Function<DhcpMessage, List<byte[]>> responder) throws IOException {
    this.responder = responder;
    socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    thread =
        Thread.ofVirtual()
            .start(() -> {
              byte[] buf = new byte[2048];
              while (!socket.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                  socket.receive(p);
                  DhcpMessage m = DhcpCodec.parse(p.getData(), 0, p.getLength());
                  requests.add(m);
                  for (byte[] out : this.responder.apply(m)) {
                    socket.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
                  }
                } catch (IOException e) {
                  if (socket.isClosed()) {
                    return;
                  }
                }
              }
            });
  }

  InetSocketAddress address() {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  /** A reply as a server builds it, with option 53, option 54 and option 6. */
  static byte[] reply(int op, int xid, byte[] chaddr, int type, byte[]... dns) {
    ByteBuffer b = ByteBuffer.allocate(300);
    b.put((byte) op).put((byte) 1).put((byte) chaddr.length).put((byte) 0);
    b.putInt(xid);
    b.position(28);
    b.put(chaddr);
    b.position(236);
    b.putInt(0x63825363);
    b.put(new byte[] {53, 1, (byte) type, 54, 4, 127, 0, 0, 1});
    if (dns.length > 0) {
      b.put((byte) 6).put((byte) (4 * dns.length));
      for (byte[] a : dns) {
        b.put(a);
      }
    }
    b.put((byte) 15).put((byte) 4).put("test".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    b.put((byte) 255);
    return b.array();
  }

  static byte[] ack(DhcpMessage request, byte[]... dns) {
    return reply(2, request.xid(), request.chaddr(), DhcpMessage.ACK, dns);
  }

  static byte[] offer(DhcpMessage request, byte[]... dns) {
    return reply(2, request.xid(), request.chaddr(), DhcpMessage.OFFER, dns);
  }

  @Override
  public void close() throws InterruptedException {
    socket.close();
    thread.join(5_000);
  }
}
