package dev.umbra.core.route;

import dev.umbra.core.net.Destination;
import dev.umbra.core.net.PacketConn;
import dev.umbra.core.relay.TrafficCounter;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/** Pumps datagrams both ways between an inbound association and an outbound packet connection. */
final class PacketRelay {
  private static final int MAX_DATAGRAM = 65535;

  private PacketRelay() {}

  /**
   * Blocks until either side closes or both are idle for {@code idle}.
   *
   * @param rewrite applied to every client datagram's destination (route-options overrides)
   */
  static void pipe(
      PacketConn client,
      PacketConn remote,
      UnaryOperator<Destination> rewrite,
      Duration idle,
      TrafficCounter counter)
      throws IOException {
    AtomicLong last = new AtomicLong(System.nanoTime());
    long idleNanos = idle.toNanos();
    int pollMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, idle.toMillis() / 2));
    Thread down =
        Thread.ofVirtual()
            .name("udp-down")
            .start(() -> {
              ByteBuffer buf = ByteBuffer.allocate(MAX_DATAGRAM);
              try {
                remote.setReadTimeout(pollMillis);
                while (true) {
                  buf.clear();
                  Destination from;
                  try {
                    from = remote.receive(buf);
                  } catch (SocketTimeoutException e) {
                    if (System.nanoTime() - last.get() >= idleNanos) {
                      break;
                    }
                    continue;
                  }
                  buf.flip();
                  int n = buf.remaining();
                  client.send(buf, from);
                  counter.addDown(n);
                  last.set(System.nanoTime());
                }
              } catch (IOException e) {
                // one side is gone; the association ends
              } finally {
                RuleRouter.closeQuietly(client);
                RuleRouter.closeQuietly(remote);
              }
            });
    ByteBuffer buf = ByteBuffer.allocate(MAX_DATAGRAM);
    try {
      client.setReadTimeout(pollMillis);
      while (down.isAlive()) {
        buf.clear();
        Destination to;
        try {
          to = client.receive(buf);
        } catch (SocketTimeoutException e) {
          if (System.nanoTime() - last.get() >= idleNanos) {
            break;
          }
          continue;
        }
        buf.flip();
        int n = buf.remaining();
        remote.send(buf, rewrite.apply(to));
        counter.addUp(n);
        last.set(System.nanoTime());
      }
    } catch (IOException e) {
      // client association closed
    } finally {
      RuleRouter.closeQuietly(client);
      RuleRouter.closeQuietly(remote);
      try {
        down.join(Duration.ofSeconds(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
