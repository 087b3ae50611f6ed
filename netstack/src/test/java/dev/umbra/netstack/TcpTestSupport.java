package dev.umbra.netstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Helpers for the TCP tests: a collecting forwarder, deterministic data, hashing copies. */
final class TcpTestSupport {
  private TcpTestSupport() {}

  /** A forwarder that accepts everything (or what {@code accept} says) and queues the conns. */
  static final class Collector implements TcpAcceptor {
    final BlockingQueue<TcpConn> accepted = new LinkedBlockingQueue<>();
    volatile boolean accept = true;

    @Override
    public boolean accepts(InetSocketAddress local, InetSocketAddress remote) {
      return accept;
    }

    @Override
    public void accepted(TcpConn conn) {
      accepted.add(conn);
    }

    TcpConn take() throws InterruptedException {
      TcpConn c = accepted.poll(20, TimeUnit.SECONDS);
      if (c == null) {
        throw new AssertionError("no connection accepted within 20 s");
      }
      return c;
    }
  }

  static byte[] data(int size, long seed) {
    byte[] d = new byte[size];
    new Random(seed).nextBytes(d);
    return d;
  }

  static String sha256(byte[] d) {
    return HexFormat.of().formatHex(digest().digest(d));
  }

  static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes {@code d} in 16 KiB chunks on a virtual thread, then half-closes. */
  static CompletableFuture<Void> writeAll(TcpConn c, byte[] d) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    Thread.ofVirtual()
        .start(() -> {
          try {
            OutputStream out = c.out();
            for (int off = 0; off < d.length; off += 16384) {
              out.write(d, off, Math.min(16384, d.length - off));
            }
            c.shutdownOutput();
            f.complete(null);
          } catch (IOException | RuntimeException e) {
            f.completeExceptionally(e);
          }
        });
    return f;
  }

  /** Writes {@code size} bytes of a seeded stream without holding them all, then half-closes. */
  static CompletableFuture<String> writeStream(TcpConn c, long size, long seed) {
    CompletableFuture<String> f = new CompletableFuture<>();
    Thread.ofVirtual()
        .start(() -> {
          try {
            MessageDigest md = digest();
            Random r = new Random(seed);
            byte[] buf = new byte[64 * 1024];
            OutputStream out = c.out();
            for (long left = size; left > 0; ) {
              r.nextBytes(buf);
              int n = (int) Math.min(buf.length, left);
              md.update(buf, 0, n);
              out.write(buf, 0, n);
              left -= n;
            }
            c.shutdownOutput();
            f.complete(HexFormat.of().formatHex(md.digest()));
          } catch (IOException | RuntimeException e) {
            f.completeExceptionally(e);
          }
        });
    return f;
  }

  /** Reads to end of stream on a virtual thread; completes with the SHA-256 and byte count. */
  static CompletableFuture<String> readHash(TcpConn c) {
    CompletableFuture<String> f = new CompletableFuture<>();
    Thread.ofVirtual()
        .start(() -> {
          try {
            MessageDigest md = digest();
            InputStream in = c.in();
            byte[] buf = new byte[32 * 1024];
            int n;
            while ((n = in.read(buf)) >= 0) {
              md.update(buf, 0, n);
            }
            f.complete(HexFormat.of().formatHex(md.digest()));
          } catch (IOException | RuntimeException e) {
            f.completeExceptionally(e);
          }
        });
    return f;
  }
}
