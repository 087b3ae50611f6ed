package dev.umbra.netstack;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Two stacks joined in memory: {@code a} (10.0.0.1, fd00::1) and {@code b} (10.0.0.2, fd00::2).
 * Each direction is a {@link Pipe} that can drop, duplicate, reorder and delay packets, its choices
 * drawn from a seeded {@link Random}; a virtual thread per direction delivers them.
 */
final class TestNet implements AutoCloseable {
  final Pipe ab;
  final Pipe ba;
  final NetStack a;
  final NetStack b;

  TestNet(long seed, StackSettings sa, StackSettings sb) {
    ab = new Pipe(new Random(seed));
    ba = new Pipe(new Random(seed + 1));
    a = new NetStack(List.of(ip("10.0.0.1"), ip("fd00::1")), ab, sa);
    b = new NetStack(List.of(ip("10.0.0.2"), ip("fd00::2")), ba, sb);
    ab.start(b);
    ba.start(a);
  }

  TestNet(long seed) {
    this(seed, StackSettings.defaults(), StackSettings.defaults());
  }

  static InetAddress ip(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** Waits up to {@code max} for {@code cond}; false if it never held. */
  static boolean await(BooleanSupplier cond, Duration max) throws InterruptedException {
    long end = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < end) {
      if (cond.getAsBoolean()) {
        return true;
      }
      Thread.sleep(5);
    }
    return cond.getAsBoolean();
  }

  @Override
  public void close() {
    a.close();
    b.close();
    ab.stop();
    ba.stop();
  }

  /** One direction of the test link. */
  static final class Pipe implements Link {
    private record Timed(long due, long order, byte[] packet) {}

    private final Random rnd;
    private final BlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
    private final PriorityQueue<Timed> pending =
        new PriorityQueue<>(
            (x, y) -> x.due != y.due ? Long.compare(x.due, y.due) : Long.compare(x.order, y.order));
    private long order;
    private Thread thread;
    volatile double drop;
    volatile double duplicate;
    volatile double reorder;
    volatile int delayMillis;
    volatile Predicate<byte[]> dropIf = p -> false;
    volatile java.util.function.Consumer<byte[]> rewrite = p -> {};
    volatile boolean capture;
    final List<byte[]> captured = Collections.synchronizedList(new ArrayList<>());
    volatile long delivered;

    Pipe(Random rnd) {
      this.rnd = rnd;
    }

    @Override
    public void send(byte[] packet, int off, int len) {
      queue.add(Arrays.copyOfRange(packet, off, off + len));
    }

    void start(NetStack dst) {
      thread = Thread.ofVirtual().name("test-pipe").start(() -> run(dst));
    }

    void stop() {
      thread.interrupt();
    }

    private void run(NetStack dst) {
      try {
        while (!Thread.currentThread().isInterrupted()) {
          long now = System.nanoTime();
          long wait = pending.isEmpty() ? 50_000_000L : Math.max(0, pending.peek().due - now);
          byte[] p = queue.poll(wait, TimeUnit.NANOSECONDS);
          if (p != null) {
            admit(p, System.nanoTime());
            // drain what is queued without waiting, so delays apply to bursts too
            byte[] q;
            while ((q = queue.poll()) != null) {
              admit(q, System.nanoTime());
            }
          }
          now = System.nanoTime();
          while (!pending.isEmpty() && pending.peek().due <= now) {
            byte[] d = pending.poll().packet;
            if (capture) {
              captured.add(d);
            }
            dst.input(d, 0, d.length);
            delivered++;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private void admit(byte[] p, long now) {
      rewrite.accept(p);
      if (dropIf.test(p)) {
        return;
      }
      double r;
      synchronized (rnd) {
        r = rnd.nextDouble();
      }
      if (r < drop) {
        return;
      }
      long delay = 0;
      int dm = delayMillis;
      if (dm > 0) {
        delay += TimeUnit.MILLISECONDS.toNanos(dm);
      }
      if (rnd.nextDouble() < reorder) {
        delay += TimeUnit.MILLISECONDS.toNanos(1 + rnd.nextInt(3)); // later ones overtake it
      }
      pending.add(new Timed(now + delay, order++, p));
      if (rnd.nextDouble() < duplicate) {
        pending.add(new Timed(now + delay, order++, p.clone()));
      }
    }
  }

  /**
   * A middlebox that blanks TCP options of the given kinds in SYNs (IPv4), so the peers never
   * negotiate them; fixes the checksum.
   */
  static java.util.function.Consumer<byte[]> stripSynOptions(int... kinds) {
    return p -> {
      if ((p[0] >> 4) != 4 || p[9] != IpPackets.PROTO_TCP) {
        return;
      }
      int t = (p[0] & 0xf) * 4;
      if ((p[t + 13] & TcpSegment.SYN) == 0) {
        return;
      }
      int end = t + ((p[t + 12] >> 4) & 0xf) * 4;
      for (int i = t + 20; i < end; ) {
        int kind = p[i] & 0xff;
        if (kind == 0) {
          break;
        }
        if (kind == 1) {
          i++;
          continue;
        }
        int len = p[i + 1] & 0xff;
        for (int k : kinds) {
          if (k == kind) {
            Arrays.fill(p, i, i + len, (byte) 1);
          }
        }
        i += len;
      }
      int tcpLen = IpPackets.u16(p, 2) - t;
      IpPackets.putU16(p, t + 16, 0);
      long acc = IpPackets.sum(p, 12, 8, 0) + IpPackets.PROTO_TCP + tcpLen;
      IpPackets.putU16(p, t + 16, IpPackets.fold(IpPackets.sum(p, t, tcpLen, acc)));
    };
  }
}
