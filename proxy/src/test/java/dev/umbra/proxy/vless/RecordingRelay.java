package dev.umbra.proxy.vless;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A TCP relay on 127.0.0.1 that records every byte it forwards, per connection and direction: what
 * a wire tap between two programs would see.
 */
final class RecordingRelay implements AutoCloseable {
  /** One relayed connection: bytes from the connecting side (up) and from the target (down). */
  static final class Session {
    private final ByteArrayOutputStream up = new ByteArrayOutputStream();
    private final ByteArrayOutputStream down = new ByteArrayOutputStream();
    private final CountDownLatch done = new CountDownLatch(2);

    byte[] up() {
      synchronized (up) {
        return up.toByteArray();
      }
    }

    byte[] down() {
      synchronized (down) {
        return down.toByteArray();
      }
    }

    /** Waits (bounded) until both directions ended. */
    void awaitDone(long seconds) throws InterruptedException {
      if (!done.await(seconds, TimeUnit.SECONDS)) {
        throw new AssertionError("relayed connection still open after " + seconds + " s");
      }
    }
  }

  private final ServerSocket server;
  private final int target;
  private final List<Session> sessions = new CopyOnWriteArrayList<>();

  RecordingRelay(int target) throws IOException {
    this.target = target;
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    Thread.ofVirtual().name("recording-relay").start(this::acceptLoop);
  }

  int port() {
    return server.getLocalPort();
  }

  List<Session> sessions() {
    return List.copyOf(sessions);
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket a = server.accept();
        Socket b = new Socket(InetAddress.getLoopbackAddress(), target);
        Session s = new Session();
        sessions.add(s);
        Thread.ofVirtual().start(() -> copy(a, b, s.up, s.done));
        Thread.ofVirtual().start(() -> copy(b, a, s.down, s.done));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private static void copy(
      Socket from, Socket to, ByteArrayOutputStream record, CountDownLatch done) {
    byte[] buf = new byte[16 * 1024];
    try {
      // not try-with-resources: closing a socket's stream closes the socket, and the other
      // direction may still be carrying bytes (a half-close only)
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buf)) > 0) {
        synchronized (record) {
          record.write(buf, 0, n);
        }
        out.write(buf, 0, n);
      }
      to.shutdownOutput();
    } catch (IOException e) {
      closeQuietly(from);
      closeQuietly(to);
    } finally {
      done.countDown();
      if (done.getCount() == 0) {
        closeQuietly(from);
        closeQuietly(to);
      }
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already gone
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
