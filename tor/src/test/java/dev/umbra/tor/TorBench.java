package dev.umbra.tor;

import dev.umbra.core.net.Conn;
import dev.umbra.tor.circuit.Circuit;
import dev.umbra.tor.client.DirAuthority;
import dev.umbra.tor.client.TorClient;
import dev.umbra.tor.client.TorConfig;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Side-by-side benchmark input for the Tor client (not a unit test): run against a network started
 * by shared/reference/tor-testnet/start.sh WORKDIR, after measure.py has measured the C tor client
 * of the same network. Prints bootstrap time, circuit build p50/p90 over N circuits and the
 * throughput of one download of FILE from the network's http.server.
 *
 * <p>{@code java -cp ... dev.umbra.tor.TorBench WORKDIR HTTP_PORT FILE [N]}
 */
public final class TorBench {
  private TorBench() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    int httpPort = Integer.parseInt(args[1]);
    String file = args[2];
    int n = args.length > 3 ? Integer.parseInt(args[3]) : 50;
    List<DirAuthority> auths = new ArrayList<>();
    for (String l : Files.readAllLines(work.resolve("dirauthorities.torrc"))) {
      auths.add(DirAuthority.parse(l.substring("DirAuthority ".length())));
    }
    Path data = Files.createTempDirectory("umbra-torbench");
    try (TorClient c = new TorClient(TorConfig.testing(auths, data), m -> {})) {
      long t0 = System.nanoTime();
      c.bootstrap(Duration.ofSeconds(60));
      double boot = (System.nanoTime() - t0) / 1e6;
      c.buildCircuit(80).close(); // warm-up: channel to the guard, JIT
      List<Double> builds = new ArrayList<>();
      int fails = 0;
      for (int i = 0; i < n; i++) {
        long b0 = System.nanoTime();
        try (Circuit circ = c.buildCircuit(80)) {
          builds.add((System.nanoTime() - b0) / 1e6);
        } catch (java.io.IOException e) {
          fails++;
        }
      }
      Collections.sort(builds);
      long d0 = System.nanoTime();
      long bytes = 0;
      String cc = "";
      try (Conn conn = c.connect("127.0.0.1", httpPort, "bench")) {
        conn.out()
            .write(
                ("GET /" + file + " HTTP/1.0\r\nHost: x\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        conn.out().flush();
        InputStream in = conn.in();
        byte[] buf = new byte[65536];
        int k;
        while ((k = in.read(buf)) > 0) {
          bytes += k;
        }
        if (conn instanceof dev.umbra.tor.circuit.TorStream ts) {
          cc = " " + ts.circuit().congestion();
        }
      }
      double secs = (System.nanoTime() - d0) / 1e9;
      System.out.printf(
          "umbra bootstrap_ms=%.0f circuits=%d fails=%d build_p50_ms=%.1f build_p90_ms=%.1f"
              + " download_bytes=%d download_MBps=%.2f%s%n",
          boot,
          builds.size(),
          fails,
          builds.get(builds.size() / 2),
          builds.get((int) (builds.size() * 0.9)),
          bytes,
          bytes / secs / 1e6,
          cc);
    }
  }
}
