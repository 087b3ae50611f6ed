package dev.umbra.transport.ws;

import dev.umbra.core.net.Conn;
import dev.umbra.transport.ClientTransport;
import dev.umbra.transport.StreamConn;
import dev.umbra.transport.TransportOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The client of the {@code ws} transport (WebSocket binary frames) and of {@code httpupgrade} (the
 * same HTTP/1.1 upgrade, then raw bytes). With {@code max_early_data} the upgrade waits for the
 * first write and carries up to that many bytes in the request (header or path), saving a round
 * trip.
 */
public final class WebSocketClient implements ClientTransport {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final long EARLY_WAIT_SECONDS = 60;

  private final TransportOptions options;
  private final boolean upgradeOnly;

  public WebSocketClient(TransportOptions options, boolean upgradeOnly) {
    this.options = options;
    this.upgradeOnly = upgradeOnly;
  }

  @Override
  public Conn connect(Conn carrier, String server) throws IOException {
    if (!upgradeOnly && options.maxEarlyDataOrZero() > 0) {
      return early(carrier, server);
    }
    return handshake(carrier, server, null);
  }

  private Conn handshake(Conn carrier, String server, byte[] earlyData) throws IOException {
    String path = options.pathOrRoot();
    List<String[]> headers = new ArrayList<>();
    headers.add(new String[] {"Host", options.hostOr(server)});
    for (var e : options.headersOrEmpty().entrySet()) {
      if (!e.getKey().equalsIgnoreCase("host")) {
        for (String v : e.getValue()) {
          headers.add(new String[] {e.getKey(), v});
        }
      }
    }
    headers.add(new String[] {"Connection", "Upgrade"});
    headers.add(new String[] {"Upgrade", "websocket"});
    String key = null;
    if (!upgradeOnly) {
      byte[] k = new byte[16];
      RANDOM.nextBytes(k);
      key = Base64.getEncoder().encodeToString(k);
      headers.add(new String[] {"Sec-WebSocket-Key", key});
      headers.add(new String[] {"Sec-WebSocket-Version", "13"});
    }
    if (earlyData != null && earlyData.length > 0) {
      String encoded = Base64.getUrlEncoder().withoutPadding().encodeToString(earlyData);
      String header = options.earlyDataHeaderName();
      if (header == null || header.isEmpty()) {
        path = path + encoded;
      } else {
        headers.add(new String[] {header, encoded});
      }
    }
    new HttpMessage("GET " + path + " HTTP/1.1", headers).write(carrier.out());
    HttpMessage response = HttpMessage.read(carrier.in());
    String[] status = response.startLine().split(" ", 3);
    if (status.length < 2 || !status[1].equals("101")) {
      throw new ProtocolException(
          (upgradeOnly ? "httpupgrade" : "WebSocket")
              + " server refused the upgrade: "
              + response.startLine());
    }
    if (upgradeOnly) {
      return new StreamConn(carrier, carrier.in(), carrier.out());
    }
    String accept = response.header("Sec-WebSocket-Accept");
    if (accept == null || !accept.equals(Handshakes.accept(key))) {
      throw new ProtocolException("WebSocket server sent a wrong Sec-WebSocket-Accept");
    }
    return new WebSocketConn(carrier, carrier.in(), true);
  }

  /** Upgrade on the first write, carrying its first bytes as early data. */
  private Conn early(Conn carrier, String server) {
    CountDownLatch ready = new CountDownLatch(1);
    Conn[] upgraded = new Conn[1];
    IOException[] failure = new IOException[1];
    int max = options.maxEarlyDataOrZero();
    OutputStream out =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            if (upgraded[0] == null) {
              if (failure[0] != null) {
                throw failure[0];
              }
              int n = Math.min(len, max);
              byte[] first = java.util.Arrays.copyOfRange(b, off, off + n);
              try {
                upgraded[0] = handshake(carrier, server, first);
              } catch (IOException e) {
                failure[0] = e;
                throw e;
              } finally {
                ready.countDown();
              }
              off += n;
              len -= n;
            }
            if (len > 0) {
              upgraded[0].out().write(b, off, len);
            }
          }

          @Override
          public void flush() throws IOException {
            if (upgraded[0] != null) {
              upgraded[0].out().flush();
            }
          }
        };
    InputStream in =
        new InputStream() {
          private InputStream awaited() throws IOException {
            try {
              if (!ready.await(EARLY_WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new java.net.SocketTimeoutException("nothing written to open the WebSocket");
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new java.io.InterruptedIOException();
            }
            if (upgraded[0] == null) {
              throw new IOException("WebSocket upgrade failed", failure[0]);
            }
            return upgraded[0].in();
          }

          @Override
          public int read() throws IOException {
            return awaited().read();
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            return awaited().read(b, off, len);
          }
        };
    return new StreamConn(
        carrier,
        in,
        out,
        () -> {
          if (upgraded[0] == null) {
            out.write(new byte[0], 0, 0);
            upgraded[0] = handshake(carrier, server, new byte[0]);
            ready.countDown();
          }
          upgraded[0].shutdownOutput();
        });
  }
}
