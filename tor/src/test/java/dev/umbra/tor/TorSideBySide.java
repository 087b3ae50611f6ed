package dev.umbra.tor;

import dev.umbra.core.net.Conn;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import dev.umbra.testkit.tor.TorTestNetwork;
import dev.umbra.tor.circuit.Circuit;
import dev.umbra.tor.client.DirAuthority;
import dev.umbra.tor.client.TorClient;
import dev.umbra.tor.client.TorConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The side-by-side Tor benchmark behind {@code bench/tor.sh} (not a unit test): starts testkit's
 * private network (3 authorities, 5 relays) and an HTTP origin, then measures a fresh C tor client
 * and a fresh Umbra {@link TorClient} on it: bootstrap time, 3-hop circuit build p50/p90 over N
 * circuits (C tor through its ControlPort: EXTENDCIRCUIT 0 until CIRC BUILT; Umbra with {@link
 * TorClient#buildCircuit}), and R rounds of one M MiB download each (C tor through curl on its
 * SocksPort), the two clients alternating so that both see the same machine load. Each download
 * also reports CPU seconds: the C tor client process's (from /proc), and this JVM's, which holds
 * the HTTP origin too (so Umbra's own cost is its JVM figure minus the JVM figure of a C tor
 * round). Prints a markdown table with Umbra/C tor ratios. Everything on 127.0.0.1, every wait
 * bounded.
 *
 * <p>{@code java -cp ... dev.umbra.tor.TorSideBySide [N=50] [MiB=50] [R=1] [ctor-conflux=1]
 * [umbra-conflux=1]}
 */
public final class TorSideBySide {
  private static final Duration STEP = Duration.ofSeconds(60);

  private TorSideBySide() {}

  record Setup(double bootstrapMs, List<Double> builds, int fails) {
    double p(double q) {
      return builds.isEmpty()
          ? Double.NaN
          : builds.get((int) Math.min(builds.size() - 1, builds.size() * q));
    }
  }

  /** One download: rate, the client process's CPU seconds (-1: same JVM), this JVM's. */
  record Download(double mbps, double clientCpu, double jvmCpu) {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    int mib = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    boolean ctorConflux = args.length <= 3 || !args[3].equals("0");
    boolean umbraConflux = args.length <= 4 || !args[4].equals("0");
    try (HttpOrigin origin = new HttpOrigin();
        TorTestNetwork net = TorTestNetwork.start(TorTestNetwork.Options.defaults())) {
      System.err.println("network up: " + net.directory());
      try (CTor ctor = CTor.start(net, n, ctorConflux);
          Umbra umbra = Umbra.start(net, n, umbraConflux)) {
        List<Download> c = new ArrayList<>();
        List<Download> u = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
          c.add(ctor.download(origin, mib));
          System.err.println("C tor round " + r + ": " + c.getLast());
          u.add(umbra.download(origin, mib));
          System.err.println("Umbra round " + r + ": " + u.getLast());
        }
        Setup cs = ctor.setup;
        Setup us = umbra.setup;
        double cm = median(c.stream().map(Download::mbps).toList());
        double um = median(u.stream().map(Download::mbps).toList());
        System.out.printf(
            Locale.ROOT,
            """
            | metric | C tor client (conflux %s) | Umbra TorClient (conflux %s) | Umbra / C tor |
            |---|---|---|---|
            | bootstrap (ms) | %.0f | %.0f | %.2f |
            | circuit build p50 (ms, n=%d/%d) | %.1f | %.1f | %.2f |
            | circuit build p90 (ms) | %.1f | %.1f | %.2f |
            | failed builds | %d | %d | |
            | %d MiB download, median of %d (MB/s) | %.2f | %.2f | %.2f |
            | each round (MB/s) | %s | %s | |
            | CPU s per round: client process / whole JVM (origin included) | %s | %s | |
            %n\
            """,
            ctorConflux ? "on" : "off",
            umbraConflux ? "on" : "off",
            cs.bootstrapMs(),
            us.bootstrapMs(),
            us.bootstrapMs() / cs.bootstrapMs(),
            cs.builds().size(),
            us.builds().size(),
            cs.p(0.5),
            us.p(0.5),
            us.p(0.5) / cs.p(0.5),
            cs.p(0.9),
            us.p(0.9),
            us.p(0.9) / cs.p(0.9),
            cs.fails(),
            us.fails(),
            mib,
            rounds,
            cm,
            um,
            um / cm,
            join(c.stream().map(d -> fmt(d.mbps())).toList()),
            join(u.stream().map(d -> fmt(d.mbps())).toList()),
            join(c.stream().map(d -> fmt(d.clientCpu()) + " / " + fmt(d.jvmCpu())).toList()),
            join(u.stream().map(d -> "- / " + fmt(d.jvmCpu())).toList()));
      }
    }
  }

  private static String fmt(double d) {
    return String.format(Locale.ROOT, "%.2f", d);
  }

  private static String join(List<String> l) {
    return String.join(", ", l);
  }

  private static double median(List<Double> l) {
    List<Double> s = new ArrayList<>(l);
    Collections.sort(s);
    return s.isEmpty() ? Double.NaN : s.get(s.size() / 2);
  }

  /** CPU seconds this JVM has used so far. */
  static double jvmCpu() {
    return ((com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime()
        / 1e9;
  }

  /** CPU seconds (user + system) a process has used so far, from /proc/PID/stat. */
  static double processCpu(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
    // fields after the command: state is index 0, utime index 11, stime index 12 (clock ticks)
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
  }

  static final class Umbra implements AutoCloseable {
    final TorClient client;
    final Setup setup;

    private Umbra(TorClient client, Setup setup) {
      this.client = client;
      this.setup = setup;
    }

    static Umbra start(TorTestNetwork net, int n, boolean conflux) throws Exception {
      List<DirAuthority> auths = net.dirAuthorityLines().stream().map(DirAuthority::parse).toList();
      Path data = Files.createTempDirectory("umbra-torbench");
      TorClient c = new TorClient(TorConfig.testing(auths, data).withConflux(conflux), m -> {});
      try {
        long t0 = System.nanoTime();
        c.bootstrap(STEP);
        double boot = (System.nanoTime() - t0) / 1e6;
        c.buildCircuit(80).close(); // warm-up: channel to the guard, JIT
        List<Double> builds = new ArrayList<>();
        int fails = 0;
        for (int i = 0; i < n; i++) {
          long b0 = System.nanoTime();
          try (Circuit circ = c.buildCircuit(80)) {
            builds.add((System.nanoTime() - b0) / 1e6);
          } catch (IOException e) {
            fails++;
          }
        }
        Collections.sort(builds);
        return new Umbra(c, new Setup(boot, builds, fails));
      } catch (Exception e) {
        c.close();
        throw e;
      }
    }

    Download download(HttpOrigin origin, int mib) throws IOException {
      long bytes = 0;
      double cpu0 = jvmCpu();
      long d0 = System.nanoTime();
      // A fresh isolation key per round: a fresh circuit (or conflux set), as curl gets from C tor.
      try (Conn conn = client.connect("127.0.0.1", origin.port(), "bench-" + d0)) {
        conn.setReadTimeout((int) STEP.toMillis());
        conn.out()
            .write(
                ("GET /bytes/" + (mib << 20) + " HTTP/1.0\r\nHost: x\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        conn.out().flush();
        InputStream in = conn.in();
        byte[] buf = new byte[65536];
        int k;
        while ((k = in.read(buf)) > 0) {
          bytes += k;
        }
      }
      double secs = (System.nanoTime() - d0) / 1e9;
      return new Download(bytes / secs / 1e6, -1, jvmCpu() - cpu0);
    }

    @Override
    public void close() {
      client.close();
    }
  }

  static final class CTor implements AutoCloseable {
    final Process tor;
    final int socks;
    Setup setup;

    private CTor(Process tor, int socks) {
      this.tor = tor;
      this.socks = socks;
    }

    static CTor start(TorTestNetwork net, int n, boolean conflux) throws Exception {
      Path dir = Files.createTempDirectory("ctor-bench-client");
      int socks = FreePort.tcp();
      int control = FreePort.tcp();
      StringBuilder torrc = new StringBuilder();
      torrc.append("TestingTorNetwork 1\nDataDirectory ").append(dir).append('\n');
      torrc.append("SocksPort 127.0.0.1:").append(socks).append('\n');
      torrc.append("ControlPort 127.0.0.1:").append(control).append('\n');
      torrc.append("CookieAuthentication 1\nRunAsDaemon 0\nSandbox 0\nClientUseIPv6 0\n");
      torrc.append("UseDefaultFallbackDirs 0\nPathsNeededToBuildCircuits 0.67\n");
      torrc.append("OutboundBindAddress 127.0.0.1\nLog notice stdout\n");
      torrc.append("ConfluxEnabled ").append(conflux ? 1 : 0).append('\n');
      for (String l : net.dirAuthorityLines()) {
        torrc.append("DirAuthority ").append(l).append('\n');
      }
      Files.writeString(dir.resolve("torrc"), torrc.toString());
      long t0 = System.nanoTime();
      Process tor =
          new ProcessBuilder("tor", "-f", dir.resolve("torrc").toString())
              .redirectErrorStream(true)
              .start();
      CTor ct = new CTor(tor, socks);
      java.util.concurrent.atomic.AtomicBoolean booted =
          new java.util.concurrent.atomic.AtomicBoolean();
      Thread.ofVirtual()
          .start(() -> {
            try {
              Thread.sleep(STEP);
            } catch (InterruptedException e) {
              return;
            }
            if (!booted.get()) {
              tor.destroy(); // unblocks the log reader below
            }
          });
      try {
        double boot = awaitBootstrap(tor, t0);
        booted.set(true);
        ct.setup = measureBuilds(dir, control, n, boot);
        return ct;
      } catch (Exception e) {
        ct.close();
        throw e;
      }
    }

    private static Setup measureBuilds(Path dir, int control, int n, double boot)
        throws IOException {
      List<Double> builds = new ArrayList<>();
      int fails = 0;
      try (Socket s = new Socket(java.net.InetAddress.getLoopbackAddress(), control)) {
        s.setSoTimeout((int) STEP.toMillis());
        BufferedReader r =
            new BufferedReader(
                new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
        OutputStream w = s.getOutputStream();
        String cookie =
            HexFormat.of().formatHex(Files.readAllBytes(dir.resolve("control_auth_cookie")));
        command(w, r, "AUTHENTICATE " + cookie);
        command(w, r, "SETEVENTS CIRC");
        for (int i = 0; i <= n; i++) { // the first one is a warm-up, as for Umbra
          long b0 = System.nanoTime();
          w.write("EXTENDCIRCUIT 0\r\n".getBytes(StandardCharsets.US_ASCII));
          w.flush();
          String circ = null;
          long deadline = b0 + STEP.toNanos();
          boolean done = false;
          while (!done && System.nanoTime() < deadline) {
            String line = r.readLine();
            if (line == null) {
              throw new IOException("control connection closed");
            }
            if (line.startsWith("250 EXTENDED ")) {
              circ = line.split(" ", -1)[2];
            } else if (circ != null && line.startsWith("650 CIRC " + circ + " BUILT")) {
              if (i > 0) {
                builds.add((System.nanoTime() - b0) / 1e6);
              }
              done = true;
            } else if (circ != null
                && (line.startsWith("650 CIRC " + circ + " FAILED")
                    || line.startsWith("650 CIRC " + circ + " CLOSED"))) {
              fails += i > 0 ? 1 : 0;
              done = true;
            } else if (line.startsWith("5")) {
              throw new IOException("control error: " + line);
            }
          }
          if (circ != null) {
            w.write(("CLOSECIRCUIT " + circ + "\r\n").getBytes(StandardCharsets.US_ASCII));
            w.flush();
          }
        }
      }
      Collections.sort(builds);
      return new Setup(boot, builds, fails);
    }

    Download download(HttpOrigin origin, int mib) throws Exception {
      double tor0 = processCpu(tor.pid());
      double jvm0 = jvmCpu();
      Process curl =
          new ProcessBuilder(
                  "curl",
                  "-s",
                  "-m",
                  "600",
                  "-o",
                  "/dev/null",
                  "-w",
                  "%{size_download} %{time_total}",
                  "--socks5-hostname",
                  "127.0.0.1:" + socks,
                  // a fresh isolation (so a fresh circuit or conflux set) per round, as for Umbra
                  "--proxy-user",
                  "round" + System.nanoTime() + ":x",
                  origin.url("/bytes/" + (mib << 20)))
              .start();
      String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      if (!curl.waitFor(660, TimeUnit.SECONDS) || curl.exitValue() != 0) {
        throw new IOException("curl through C tor failed: " + out);
      }
      String[] parts = out.trim().split(" ", -1);
      double mbps = Double.parseDouble(parts[0]) / Double.parseDouble(parts[1]) / 1e6;
      return new Download(mbps, processCpu(tor.pid()) - tor0, jvmCpu() - jvm0);
    }

    @Override
    public void close() throws InterruptedException {
      tor.destroy();
      if (!tor.waitFor(10, TimeUnit.SECONDS)) {
        tor.destroyForcibly();
      }
    }
  }

  private static double awaitBootstrap(Process tor, long t0) throws IOException {
    BufferedReader r =
        new BufferedReader(new InputStreamReader(tor.getInputStream(), StandardCharsets.UTF_8));
    long deadline = t0 + STEP.toNanos();
    String line;
    while ((line = r.readLine()) != null) {
      if (line.contains("Bootstrapped 100%")) {
        double ms = (System.nanoTime() - t0) / 1e6;
        Thread.ofVirtual().start(() -> drain(r)); // keep tor's stdout from filling up
        return ms;
      }
      if (System.nanoTime() > deadline) {
        break;
      }
    }
    throw new IOException("C tor client did not bootstrap within " + STEP);
  }

  private static void drain(BufferedReader r) {
    try {
      while (r.readLine() != null) {
        // discard
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  private static void command(OutputStream w, BufferedReader r, String cmd) throws IOException {
    w.write((cmd + "\r\n").getBytes(StandardCharsets.US_ASCII));
    w.flush();
    String line = r.readLine();
    if (line == null || !line.startsWith("250")) {
      throw new IOException(cmd.split(" ", -1)[0] + " failed: " + line);
    }
  }
}
