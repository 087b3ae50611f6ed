package dev.umbra.dns.transport;

import dev.umbra.core.net.Conn;
import java.io.IOException;
import java.util.ArrayDeque;

/** Idle connections to one DNS server kept for reuse (TCP, DoT, DoH keep-alive). */
public final class ConnPool implements java.io.Closeable {
  static final int MAX_IDLE = 4;

  /** Opens a fresh connection to the server. */
  @FunctionalInterface
  public interface Opener {
    Conn open() throws IOException;
  }

  /** One request/response on a connection. */
  @FunctionalInterface
  interface Use<T> {
    T apply(Conn conn) throws IOException;
  }

  private final Opener opener;
  private final ArrayDeque<Conn> idle = new ArrayDeque<>();
  private boolean closed;

  ConnPool(Opener opener) {
    this.opener = opener;
  }

  /**
   * Runs {@code use} on an idle connection, or a new one; a reused connection that fails (the
   * server may have closed it meanwhile) is retried once on a fresh one.
   */
  <T> T with(Use<T> use, java.util.function.BooleanSupplier reusable) throws IOException {
    Conn reused = take();
    if (reused != null) {
      try {
        T out = use.apply(reused);
        give(reused, reusable.getAsBoolean());
        return out;
      } catch (IOException e) {
        Exchanges.closeQuietly(reused);
        if (e instanceof java.net.SocketTimeoutException) {
          throw e;
        }
      }
    }
    Conn fresh = opener.open();
    try {
      T out = use.apply(fresh);
      give(fresh, reusable.getAsBoolean());
      return out;
    } catch (IOException | RuntimeException e) {
      Exchanges.closeQuietly(fresh);
      throw e;
    }
  }

  synchronized Conn take() {
    return idle.pollLast();
  }

  void give(Conn c, boolean reusable) {
    boolean keep;
    synchronized (this) {
      keep = reusable && !closed && idle.size() < MAX_IDLE;
      if (keep) {
        idle.addLast(c);
      }
    }
    if (!keep) {
      Exchanges.closeQuietly(c);
    }
  }

  @Override
  public void close() {
    ArrayDeque<Conn> all;
    synchronized (this) {
      closed = true;
      all = new ArrayDeque<>(idle);
      idle.clear();
    }
    all.forEach(Exchanges::closeQuietly);
  }
}
