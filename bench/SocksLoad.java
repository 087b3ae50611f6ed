import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Connections per second through a SOCKS5 proxy: each request is a new connection (greeting,
 * CONNECT, one HTTP GET with "Connection: close", read to the end). Prints JSON with requests/s,
 * p50 and p99 in milliseconds, and errors.
 *
 * <p>Usage: {@code java SocksLoad.java PROXY_PORT TARGET_PORT PATH WARMUP_SECONDS SECONDS
 * CONCURRENCY}; the warm-up (same load, not measured) lets both this JVM and the proxy settle.
 */
public class SocksLoad {
  public static void main(String[] args) {
    int proxyPort = Integer.parseInt(args[0]);
    int targetPort = Integer.parseInt(args[1]);
    String path = args[2];
    int concurrency = Integer.parseInt(args[5]);
    byte[] request =
        ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    run(proxyPort, targetPort, request, Long.parseLong(args[3]), concurrency);
    long start = System.nanoTime();
    Result r = run(proxyPort, targetPort, request, Long.parseLong(args[4]), concurrency);
    double seconds = (System.nanoTime() - start) / 1e9;
    List<Long> all = r.latencies();
    double p50 = all.isEmpty() ? 0 : all.get(all.size() / 2) / 1e6;
    double p99 = all.isEmpty() ? 0 : all.get((int) (all.size() * 0.99)) / 1e6;
    System.out.printf(
        "{\"rps\": %.1f, \"p50_ms\": %.2f, \"p99_ms\": %.2f, \"errors\": %d}%n",
        all.size() / seconds, p50, p99, r.errors());
  }

  record Result(List<Long> latencies, long errors) {}

  private static Result run(
      int proxyPort, int targetPort, byte[] request, long seconds, int concurrency) {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    List<List<Long>> perWorker = new ArrayList<>();
    AtomicLong errors = new AtomicLong();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int w = 0; w < concurrency; w++) {
        List<Long> mine = new ArrayList<>();
        perWorker.add(mine);
        pool.submit(
            () -> {
              while (System.nanoTime() < deadline) {
                long t = System.nanoTime();
                try {
                  once(proxyPort, targetPort, request);
                  mine.add(System.nanoTime() - t);
                } catch (IOException e) {
                  errors.incrementAndGet();
                }
              }
            });
      }
    }
    List<Long> all = new ArrayList<>();
    perWorker.forEach(all::addAll);
    Collections.sort(all);
    return new Result(all, errors.get());
  }

  private static void once(int proxyPort, int targetPort, byte[] request) throws IOException {
    try (Socket s = new Socket()) {
      s.setSoTimeout(10_000);
      s.setTcpNoDelay(true);
      s.connect(new InetSocketAddress("127.0.0.1", proxyPort), 10_000);
      OutputStream out = s.getOutputStream();
      DataInputStream in = new DataInputStream(s.getInputStream());
      out.write(new byte[] {5, 1, 0});
      if (in.readUnsignedByte() != 5 || in.readUnsignedByte() != 0) {
        throw new IOException("greeting refused");
      }
      out.write(
          new byte[] {
            5, 1, 0, 1, 127, 0, 0, 1, (byte) (targetPort >> 8), (byte) targetPort
          });
      byte[] head = new byte[4];
      in.readFully(head);
      if (head[1] != 0) {
        throw new IOException("connect refused: " + head[1]);
      }
      int addressLength =
          switch (head[3]) {
            case 1 -> 4;
            case 4 -> 16;
            case 3 -> in.readUnsignedByte();
            default -> throw new IOException("bad address type " + head[3]);
          };
      in.readFully(new byte[addressLength + 2]);
      out.write(request);
      drain(in);
    }
  }

  private static void drain(InputStream in) throws IOException {
    byte[] buf = new byte[4096];
    while (in.read(buf) >= 0) {
      // the response ends when the server closes
    }
  }
}
