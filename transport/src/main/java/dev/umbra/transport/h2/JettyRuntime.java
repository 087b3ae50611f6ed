package dev.umbra.transport.h2;

import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.util.thread.VirtualThreadPool;

/**
 * The process-wide Jetty pieces the HTTP/2 sessions need: virtual-thread executors, a daemon
 * scheduler, buffer pools. No Jetty socket is ever opened: sessions run over our own carriers.
 */
final class JettyRuntime {
  private static HTTP2Client client;
  private static LocalConnector connector;

  private JettyRuntime() {}

  static synchronized HTTP2Client client() {
    if (client == null) {
      HTTP2Client c = new HTTP2Client();
      c.setExecutor(new VirtualThreadPool());
      c.setScheduler(new ScheduledExecutorScheduler("umbra-h2-client", true));
      c.setIdleTimeout(0);
      c.setStreamIdleTimeout(0);
      c.setMaxFrameSize(16 * 1024);
      c.setInitialSessionRecvWindow(8 * 1024 * 1024);
      c.setInitialStreamRecvWindow(4 * 1024 * 1024);
      try {
        c.start();
      } catch (Exception e) {
        throw new IllegalStateException("cannot start the HTTP/2 client runtime", e);
      }
      client = c;
    }
    return client;
  }

  /** A started connector whose executor, scheduler and buffers serve our server sessions. */
  static synchronized LocalConnector connector() {
    if (connector == null) {
      Server server =
          new Server(
              new VirtualThreadPool(),
              new ScheduledExecutorScheduler("umbra-h2-server", true),
              null);
      LocalConnector c = new LocalConnector(server);
      c.setIdleTimeout(0);
      server.addConnector(c);
      try {
        server.start();
      } catch (Exception e) {
        throw new IllegalStateException("cannot start the HTTP/2 server runtime", e);
      }
      connector = c;
    }
    return connector;
  }
}
