package dev.umbra.core.sniff;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Captures the first bytes real client programs send, from a local listening socket. */
final class CapturedClients {
  private CapturedClients() {}

  /**
   * Starts {@code command} (with "PORT" replaced by a local port) and returns the bytes it sends
   * before going quiet or reaching {@code limit}.
   */
  static byte[] capture(int limit, String... command) throws IOException, InterruptedException {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      server.setSoTimeout(15_000);
      String port = Integer.toString(server.getLocalPort());
      List<String> cmd =
          java.util.Arrays.stream(command).map(a -> a.replace("PORT", port)).toList();
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      try (Socket s = server.accept()) {
        s.setSoTimeout(1500);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[4096];
        try {
          int n;
          while (out.size() < limit && (n = in.read(buf)) >= 0) {
            out.write(buf, 0, n);
          }
        } catch (SocketTimeoutException quiet) {
          // the client waits for our answer: we have its first flight
        }
        return out.toByteArray();
      } finally {
        p.destroy();
        p.waitFor(5, TimeUnit.SECONDS);
      }
    }
  }
}
