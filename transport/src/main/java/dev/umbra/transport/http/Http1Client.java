package dev.umbra.transport.http;

import dev.umbra.core.net.Conn;
import dev.umbra.transport.ClientTransport;
import dev.umbra.transport.StreamConn;
import dev.umbra.transport.TransportOptions;
import dev.umbra.transport.ws.HttpMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@code http} transport without TLS, as sing-box: an HTTP/1.1 request head sent together with
 * the first write, a response head (200) read before the first read, raw bytes after both.
 */
public final class Http1Client implements ClientTransport {
  private final TransportOptions options;

  public Http1Client(TransportOptions options) {
    this.options = options;
  }

  @Override
  public Conn connect(Conn carrier, String server) {
    return new Lazy(carrier, server).conn();
  }

  private final class Lazy {
    private final Conn carrier;
    private final String server;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ReentrantLock readLock = new ReentrantLock();
    private boolean requestSent;
    private boolean responseRead;

    Lazy(Conn carrier, String server) {
      this.carrier = carrier;
      this.server = server;
    }

    Conn conn() {
      OutputStream out =
          new OutputStream() {
            @Override
            public void write(int b) throws IOException {
              write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
              sendRequest(b, off, len);
            }

            @Override
            public void flush() throws IOException {
              carrier.out().flush();
            }
          };
      InputStream in =
          new InputStream() {
            @Override
            public int read() throws IOException {
              readResponse();
              return carrier.in().read();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
              readResponse();
              return carrier.in().read(b, off, len);
            }
          };
      return new StreamConn(
          carrier,
          in,
          out,
          () -> {
            sendRequest(new byte[0], 0, 0);
            carrier.out().flush();
            carrier.shutdownOutput();
          });
    }

    private void sendRequest(byte[] b, int off, int len) throws IOException {
      writeLock.lock();
      try {
        if (!requestSent) {
          requestSent = true;
          String host = HttpRequests.pickHost(options, server);
          List<String[]> headers = new ArrayList<>();
          headers.add(new String[] {"Host", host});
          for (var e : options.headersOrEmpty().entrySet()) {
            if (!e.getKey().equalsIgnoreCase("host")) {
              headers.add(new String[] {e.getKey(), String.join(", ", e.getValue())});
            }
          }
          // one write: the head and the first payload leave in the same segment
          java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream();
          new HttpMessage(
                  HttpRequests.method(options) + " " + options.pathOrRoot() + " HTTP/1.1", headers)
              .write(head);
          head.write(b, off, len);
          carrier.out().write(head.toByteArray());
          carrier.out().flush();
          return;
        }
      } finally {
        writeLock.unlock();
      }
      carrier.out().write(b, off, len);
    }

    private void readResponse() throws IOException {
      readLock.lock();
      try {
        if (responseRead) {
          return;
        }
        HttpMessage response = HttpMessage.read(carrier.in());
        String[] status = response.startLine().split(" ", 3);
        if (status.length < 2 || !status[0].startsWith("HTTP/1.") || !status[1].equals("200")) {
          throw new ProtocolException("http transport: unexpected status: " + response.startLine());
        }
        responseRead = true;
      } finally {
        readLock.unlock();
      }
    }
  }
}
