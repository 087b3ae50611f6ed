package dev.umbra.core.adapter;

import dev.umbra.core.net.Conn;
import dev.umbra.core.net.PacketConn;
import dev.umbra.core.net.Pipe;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Decides where each connection goes. Inbounds call it from the connection's own thread. */
public interface Router {

  /**
   * Routes a stream: matches rules, dials the chosen outbound, relays until both sides are done,
   * and closes {@code conn}. Blocks for the life of the connection. Never throws: failures are
   * logged and reported through {@code handshake}.
   */
  void routeConnection(Conn conn, Metadata metadata, Handshake handshake);

  /**
   * Routes a connection that the inbound speaks over itself (plain HTTP forwarding): matches rules,
   * dials the chosen outbound and returns the remote end, counted and tracked until closed. No
   * sniffing (there is no client stream to sniff). Throws {@link RejectedException} when a rule
   * rejects it, or the dial failure.
   *
   * <p>The default routes through an in-memory pipe with {@link #routeConnection}, for routers
   * without a direct path.
   */
  default Conn open(Metadata metadata) throws IOException {
    Conn[] pipe = Pipe.create();
    CompletableFuture<Exception> outcome = new CompletableFuture<>();
    Thread.ofVirtual()
        .name("route-open")
        .start(() ->
            routeConnection(
                pipe[1],
                metadata,
                new Handshake() {
                  @Override
                  public void succeed() {
                    outcome.complete(null);
                  }

                  @Override
                  public void fail(Exception cause) {
                    outcome.complete(cause);
                  }
                }));
    Exception failure;
    try {
      failure = outcome.get(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure = new InterruptedIOException("interrupted while routing");
    } catch (ExecutionException | TimeoutException e) {
      failure = new SocketTimeoutException("upstream not reached in time");
    }
    if (failure == null) {
      return pipe[0];
    }
    pipe[0].close();
    throw failure instanceof IOException io ? io : new IOException(failure);
  }

  /** Routes a UDP association the same way. Blocks until the association ends. */
  void routePackets(PacketConn conn, Metadata metadata, Handshake handshake);
}
