package dev.umbra.testkit;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.Executors;

/**
 * A local HTTP origin: {@code /small} answers "ok\n", {@code /bytes/N} N deterministic bytes
 * (seeded by N), {@code /echo} returns the request body.
 */
public final class HttpOrigin implements AutoCloseable {
  private final HttpServer server;

  public HttpOrigin() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext(
        "/small",
        ex -> {
          byte[] b = "ok\n".getBytes(StandardCharsets.US_ASCII);
          ex.sendResponseHeaders(200, b.length);
          try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
          }
        });
    server.createContext(
        "/bytes/",
        ex -> {
          int n = Integer.parseInt(ex.getRequestURI().getPath().substring("/bytes/".length()));
          byte[] b = bytes(n);
          ex.sendResponseHeaders(200, b.length);
          try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
          }
        });
    server.createContext(
        "/echo",
        ex -> {
          byte[] b;
          try (InputStream in = ex.getRequestBody()) {
            b = in.readAllBytes();
          }
          ex.sendResponseHeaders(200, b.length == 0 ? -1 : b.length);
          try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
          }
        });
    server.start();
  }

  /** The deterministic content of /bytes/N. */
  public static byte[] bytes(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public String url(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
