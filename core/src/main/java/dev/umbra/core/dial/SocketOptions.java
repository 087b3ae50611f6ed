package dev.umbra.core.dial;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import jdk.net.ExtendedSocketOptions;

/** TCP options shared by the dialer and the listeners. */
public final class SocketOptions {
  private SocketOptions() {}

  /** Enables keep-alive with the given idle time and probe interval, or disables it. */
  public static void keepAlive(Socket s, boolean enabled, Duration idle, Duration interval)
      throws IOException {
    s.setKeepAlive(enabled);
    if (enabled) {
      s.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, seconds(idle));
      s.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, seconds(interval));
    }
  }

  private static int seconds(Duration d) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toSeconds()));
  }
}
