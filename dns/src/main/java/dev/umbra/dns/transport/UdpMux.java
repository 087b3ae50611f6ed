package dev.umbra.dns.transport;

import dev.umbra.core.adapter.Dialer;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.PacketConn;
import dev.umbra.dns.message.DnsCodec;
import dev.umbra.dns.message.DnsFormatException;
import dev.umbra.dns.message.DnsLimits;
import java.io.Closeable;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Message;

/**
 * Queries to one UDP server share a socket, each with its own random ID, and a single receiver
 * hands every answer to the query with that ID (as sing-box does): no socket, thread and bind per
 * query, and no query waits behind another. An answer from elsewhere, with an ID nobody waits for,
 * or for another question is dropped with a log line, and the query goes on waiting for the real
 * one. The socket (so the source port) is replaced after {@link #QUERIES_PER_SOCKET} queries, or
 * when {@link #MAX_IN_FLIGHT} wait on it; an old one closes when its last query is done.
 */
final class UdpMux implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(UdpMux.class);

  static final int QUERIES_PER_SOCKET = 1024;
  static final int MAX_IN_FLIGHT = 1024;

  /** A socket with no query for this long is closed (a new one is made for the next query). */
  static final int IDLE_MILLIS = 30_000;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final String tag;
  private final Destination server;
  private final Dialer dialer;
  private final ReentrantLock lock = new ReentrantLock();
  private Channel current; // guarded by lock
  private boolean closed; // guarded by lock

  UdpMux(String tag, Destination server, Dialer dialer) {
    this.tag = tag;
    this.server = server;
    this.dialer = dialer;
  }

  /** Sends {@code query} with a fresh ID and waits for its answer until {@code deadline}. */
  Message exchange(Message query, long deadlineNanos) throws IOException {
    Channel ch;
    Pending p;
    lock.lock();
    try {
      if (closed) {
        throw new IOException("dns/" + tag + " is closed");
      }
      if (current == null
          || current.dead
          || current.used >= QUERIES_PER_SOCKET
          || current.pending.size() >= MAX_IN_FLIGHT) {
        Channel fresh = new Channel(dialer.listenPacket(server));
        if (current != null) {
          current.retire();
        }
        current = fresh;
      }
      ch = current;
      p = ch.register(query);
    } finally {
      lock.unlock();
    }
    try {
      ch.send(p.wire);
      long wait = deadlineNanos - System.nanoTime();
      if (wait <= 0) {
        throw new SocketTimeoutException("DNS query timed out");
      }
      return p.answer.get(wait, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new SocketTimeoutException("DNS query timed out");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("DNS query interrupted");
    } finally {
      ch.done(p);
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      if (current != null) {
        current.shut(new IOException("dns/" + tag + " closed"));
        current = null;
      }
    } finally {
      lock.unlock();
    }
  }

  /** One query waiting: what was sent (its random ID) and what the caller asked. */
  private record Pending(
      int id, Message sent, Message original, byte[] wire, CompletableFuture<Message> answer) {}

  /** One socket, its waiting queries by ID, and the thread receiving their answers. */
  private final class Channel {
    final PacketConn conn;
    final Map<Integer, Pending> pending = new ConcurrentHashMap<>();
    final ReentrantLock sendLock = new ReentrantLock();
    int used; // guarded by UdpMux.lock
    volatile boolean retired;
    volatile boolean dead;

    Channel(PacketConn conn) {
      this.conn = conn;
      Thread.ofVirtual().name("dns-udp-" + tag).start(this::receiveLoop);
    }

    /** Called under the mux lock: a fresh ID not in use on this socket. */
    Pending register(Message query) {
      used++;
      int id;
      do {
        id = RANDOM.nextInt(65_536);
      } while (pending.containsKey(id));
      Message sent = query.clone();
      sent.getHeader().setID(id);
      Pending p = new Pending(id, sent, query, sent.toWire(), new CompletableFuture<>());
      pending.put(id, p);
      return p;
    }

    void send(byte[] wire) throws IOException {
      sendLock.lock();
      try {
        conn.send(ByteBuffer.wrap(wire), server);
      } finally {
        sendLock.unlock();
      }
    }

    void done(Pending p) {
      pending.remove(p.id(), p);
      if (retired && pending.isEmpty()) {
        closeConn();
      }
    }

    /** Called under the mux lock: no new queries come here; closes once the last is done. */
    void retire() {
      retired = true;
      if (pending.isEmpty()) {
        closeConn();
      }
    }

    void shut(IOException why) {
      dead = true;
      pending.values().forEach(p -> p.answer().completeExceptionally(why));
      closeConn();
    }

    private void closeConn() {
      dead = true;
      try {
        conn.close();
      } catch (IOException e) {
        LOG.debug("dns/{}: closing a socket: {}", tag, e.toString());
      }
    }

    private void receiveLoop() {
      ByteBuffer buf = ByteBuffer.allocate(65_535);
      try {
        conn.setReadTimeout(IDLE_MILLIS);
        while (!dead) {
          buf.clear();
          Destination from;
          try {
            from = conn.receive(buf);
          } catch (SocketTimeoutException e) {
            if (closeIfIdle()) {
              return;
            }
            continue;
          }
          accept(from, buf.array(), buf.position());
        }
      } catch (IOException e) {
        if (!dead) {
          LOG.debug("dns/{}: socket failed: {}", tag, e.toString());
          shut(e);
        }
      } catch (RuntimeException e) {
        LOG.warn("dns/{}: receiver failed", tag, e);
        shut(new IOException(e));
      }
    }

    private boolean closeIfIdle() {
      lock.lock();
      try {
        if (pending.isEmpty()) {
          closeConn();
          return true;
        }
        return false;
      } finally {
        lock.unlock();
      }
    }

    private void accept(Destination from, byte[] data, int length) {
      if (server instanceof Destination.Ip && !server.equals(from)) {
        LOG.info("dns/{}: dropped a datagram from {} (expected {})", tag, from, server);
        return;
      }
      Pending p = pending.get(DnsCodec.id(data, 0, length));
      if (p == null) {
        LOG.info("dns/{}: dropped an answer with an ID no query waits for", tag);
        return;
      }
      try {
        Message r = DnsCodec.parse(data, 0, length, DnsLimits.DEFAULT);
        p.answer().complete(Exchanges.accept(p.sent(), p.original(), r, server.toString()));
      } catch (DnsFormatException e) {
        LOG.info("dns/{}: dropped an answer: {}", tag, e.getMessage());
      }
    }
  }
}
