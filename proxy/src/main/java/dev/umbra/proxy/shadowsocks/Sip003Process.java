package dev.umbra.proxy.shadowsocks;

import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A SIP003 plugin run as a child process with the standard environment (SS_REMOTE_HOST/PORT = the
 * server, SS_LOCAL_HOST/PORT = a free loopback port it listens on, SS_PLUGIN_OPTIONS). Its output
 * goes to our log; it is stopped with the outbound, by PID.
 */
final class Sip003Process implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(Sip003Process.class);
  static final Duration START_TIMEOUT = Duration.ofSeconds(10);

  private final String tag;
  private final String binary;
  private final String options;
  private final String remoteHost;
  private final int remotePort;
  private Process process;
  private int localPort;

  Sip003Process(String tag, String binary, String options, String remoteHost, int remotePort) {
    this.tag = tag;
    this.binary = binary;
    this.options = options;
    this.remoteHost = remoteHost;
    this.remotePort = remotePort;
  }

  /** The absolute path of {@code binary} (a path, or a name found on PATH), or null. */
  static String resolve(String binary) {
    if (binary.contains("/")) {
      return new File(binary).canExecute() ? binary : null;
    }
    for (String d : System.getenv().getOrDefault("PATH", "").split(":", -1)) {
      File f = new File(d, binary);
      if (!d.isEmpty() && f.canExecute()) {
        return f.getAbsolutePath();
      }
    }
    return null;
  }

  synchronized void start() throws IOException {
    String path = resolve(binary);
    if (path == null) {
      throw new IOException("outbound '" + tag + "': plugin '" + binary + "' not found");
    }
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      localPort = s.getLocalPort();
    }
    ProcessBuilder pb = new ProcessBuilder(path);
    Map<String, String> env = pb.environment();
    env.put("SS_REMOTE_HOST", remoteHost);
    env.put("SS_REMOTE_PORT", String.valueOf(remotePort));
    env.put("SS_LOCAL_HOST", "127.0.0.1");
    env.put("SS_LOCAL_PORT", String.valueOf(localPort));
    env.put("SS_PLUGIN_OPTIONS", options == null ? "" : options);
    pb.redirectErrorStream(true);
    process = pb.start();
    Process p = process;
    Thread.ofVirtual()
        .name("plugin-log-" + tag)
        .start(() -> {
          try (var r = p.inputReader()) {
            String line;
            while ((line = r.readLine()) != null) {
              LOG.debug("outbound/{}: plugin: {}", tag, line);
            }
          } catch (IOException e) {
            // the plugin ended
          }
        });
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IOException(
            "outbound '" + tag + "': plugin " + binary + " exited with " + p.exitValue());
      }
      try (Socket probe = new Socket()) {
        probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), localPort), 200);
        LOG.info(
            "outbound/{}: plugin {} (pid {}) on 127.0.0.1:{}", tag, binary, p.pid(), localPort);
        return;
      } catch (IOException notYet) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException();
        }
      }
    }
    close();
    throw new IOException("outbound '" + tag + "': plugin " + binary + " did not start listening");
  }

  synchronized int localPort() {
    return localPort;
  }

  @Override
  public synchronized void close() {
    Process p = process;
    if (p == null) {
      return;
    }
    process = null;
    p.descendants().forEach(ProcessHandle::destroy);
    p.destroy();
    try {
      if (!p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
