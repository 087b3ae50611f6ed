package dev.umbra.dns;

import dev.umbra.dns.message.DnsCodec;
import dev.umbra.dns.message.DnsLimits;
import dev.umbra.dns.message.Messages;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.xbill.DNS.Message;

/**
 * A small UDP DNS server on loopback for router tests: each query is handed to {@code behaviour},
 * which returns the datagrams to send back (garbage, spoofed answers, then maybe the real one).
 */
public final class TestUpstream implements AutoCloseable {
  private final DatagramSocket socket;
  public final AtomicInteger queries = new AtomicInteger();
  private final Thread thread;

  public TestUpstream(BiFunction<Message, byte[], List<byte[]>> behaviour) throws IOException {
    socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    thread =
        Thread.ofVirtual()
            .start(() -> {
              byte[] buf = new byte[65_535];
              while (!socket.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                  socket.receive(p);
                  byte[] raw = java.util.Arrays.copyOf(p.getData(), p.getLength());
                  Message q = DnsCodec.parse(raw, DnsLimits.DEFAULT);
                  queries.incrementAndGet();
                  for (byte[] out : behaviour.apply(q, raw)) {
                    socket.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
                  }
                } catch (IOException e) {
                  // closed, or a query we cannot read: ignore
                }
              }
            });
  }

  /** Answers A queries with this address, TTL {@code ttl}. */
  public static TestUpstream answering(String address, long ttl) throws IOException {
    InetAddress a = InetAddress.getByName(address);
    return new TestUpstream(
        (q, raw) -> List.of(DnsCodec.encode(Messages.addresses(q, List.of(a), ttl))));
  }

  public int port() {
    return socket.getLocalPort();
  }

  @Override
  public void close() throws InterruptedException {
    socket.close();
    thread.join(5_000);
  }
}
