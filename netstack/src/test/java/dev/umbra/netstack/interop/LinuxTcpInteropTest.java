package dev.umbra.netstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.netstack.NetStack;
import dev.umbra.netstack.StackSettings;
import dev.umbra.netstack.TcpAcceptor;
import dev.umbra.netstack.TcpConn;
import dev.umbra.netstack.TunDevice;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Our TCP against the Linux kernel's: a TUN device moved into a network namespace the test creates
 * (the kernel side, 10.77.0.1, MTU 1420) and our stack on its other end (10.77.0.2). curl in the
 * namespace fetches from our forwarder; our stack dials socat in the namespace. Needs root, {@code
 * ip}, curl and socat.
 */
@Tag("interop")
class LinuxTcpInteropTest {
  private static final String KERNEL = "10.77.0.1";
  private static final String OURS = "10.77.0.2";
  private static final int BODY = 4 << 20;

  private static String ns;
  private static TunDevice tun;
  private static NetStack stack;
  private static Thread reader;

  @BeforeAll
  static void up() throws Exception {
    String tag =
        Long.toString(ProcessHandle.current().pid() % 100000, 36)
            + Long.toString(System.nanoTime() % 46656, 36);
    ns = "umbT" + tag;
    String dev = "utun" + tag;
    run("ip", "netns", "add", ns);
    tun = TunDevice.open(dev, 100);
    run("ip", "link", "set", dev, "netns", ns);
    run("ip", "-n", ns, "addr", "add", KERNEL + "/24", "dev", dev);
    run("ip", "-n", ns, "link", "set", dev, "mtu", "1420", "up");
    run("ip", "-n", ns, "link", "set", "lo", "up");
    stack =
        new NetStack(
            List.of(InetAddress.getByName(OURS)),
            tun::write,
            StackSettings.defaults().withMtu(1420));
    reader =
        Thread.ofPlatform()
            .daemon()
            .name("tun-reader")
            .start(() -> {
              byte[] buf = new byte[65536];
              try {
                while (!Thread.currentThread().isInterrupted()) {
                  int n = tun.read(buf);
                  if (n > 0) {
                    stack.input(buf, 0, n);
                  }
                }
              } catch (IOException e) {
                // closed
              }
            });
  }

  @AfterAll
  static void down() throws Exception {
    if (reader != null) {
      reader.interrupt();
      reader.join(2000);
    }
    if (stack != null) {
      stack.close();
    }
    if (tun != null) {
      tun.close();
    }
    if (ns != null) {
      run("ip", "netns", "del", ns);
    }
  }

  private static String run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("timed out: " + String.join(" ", cmd));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out);
    }
    return out;
  }

  private static byte[] body() {
    byte[] b = new byte[BODY];
    new Random(77).nextBytes(b);
    return b;
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  @Test
  void curlInTheNamespaceFetchesFromOurForwarder() throws Exception {
    byte[] body = body();
    stack.serveTcp(
        new TcpAcceptor() {
          @Override
          public boolean accepts(InetSocketAddress local, InetSocketAddress remote) {
            return local.getPort() == 8080;
          }

          @Override
          public void accepted(TcpConn conn) {
            try (conn) {
              InputStream in = conn.in();
              ByteArrayOutputStream req = new ByteArrayOutputStream();
              conn.setReadTimeout(10_000);
              while (!req.toString(StandardCharsets.US_ASCII).contains("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) {
                  return;
                }
                req.write(c);
              }
              OutputStream out = conn.out();
              out.write(
                  ("HTTP/1.1 200 OK\r\nContent-Length: "
                          + body.length
                          + "\r\nConnection: close\r\n\r\n")
                      .getBytes(StandardCharsets.US_ASCII));
              out.write(body);
              conn.shutdownOutput();
              while (in.read() >= 0) {
                // wait for curl's FIN so our close is a clean FIN, not a RST
              }
            } catch (IOException e) {
              throw new IllegalStateException(e);
            }
          }
        });
    String out =
        run(
            "ip",
            "netns",
            "exec",
            ns,
            "sh",
            "-c",
            "curl -sS --max-time 60 http://" + OURS + ":8080/ | sha256sum");
    assertThat(out.trim()).startsWith(sha256(body));
  }

  @Test
  void ourStackDialsTheKernelAndItReceivesEveryByte() throws Exception {
    Process socat =
        new ProcessBuilder(
                "ip",
                "netns",
                "exec",
                ns,
                "socat",
                "-T",
                "60",
                "TCP-LISTEN:9000,bind=" + KERNEL + ",reuseaddr",
                "SYSTEM:sha256sum")
            .redirectErrorStream(true)
            .start();
    try {
      InetSocketAddress server = new InetSocketAddress(InetAddress.getByName(KERNEL), 9000);
      TcpConn c = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (c == null) {
        try {
          c = stack.dialTcp(server, Duration.ofSeconds(5));
        } catch (ConnectException e) {
          if (System.nanoTime() > deadline) {
            throw e;
          }
          Thread.sleep(100); // socat is not listening yet
        }
      }
      assertThat(c.options()).contains("sack=true", "ts=true").contains("mss=1380");
      byte[] body = body();
      c.out().write(body);
      c.shutdownOutput();
      c.setReadTimeout(60_000);
      String answer = new String(c.in().readAllBytes(), StandardCharsets.US_ASCII);
      assertThat(answer.trim()).startsWith(sha256(body));
      c.close();
    } finally {
      socat.destroy();
      socat.waitFor(5, TimeUnit.SECONDS);
    }
  }
}
