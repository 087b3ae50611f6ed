package dev.umbra.tor.channel;

import dev.umbra.tor.cell.Cell;
import dev.umbra.tor.cell.CellCodec;
import dev.umbra.tor.cell.CertsCell;
import dev.umbra.tor.cell.Netinfo;
import dev.umbra.tor.cell.TorProtocolException;
import dev.umbra.tor.cell.Versions;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TLS link to one relay after the link handshake (VERSIONS, CERTS, AUTH_CHALLENGE, NETINFO),
 * multiplexing circuits. The TLS certificate is not PKI-checked: the relay proves its identity in
 * CERTS, bound to the TLS certificate by its SHA-256. One reader thread dispatches cells by circuit
 * ID; writers share a lock.
 */
public final class Channel implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(Channel.class);
  private static final int[] LINK_VERSIONS = {4, 5};
  private static final int MAX_HANDSHAKE_CELLS = 16;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final RelayTarget target;
  private final SSLSocket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final CellCodec codec;
  private final int linkVersion;
  private final CertsValidator.Identities identities;
  private final Map<Integer, CellSink> circuits = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Object writeLock = new Object();
  private final java.util.concurrent.atomic.AtomicInteger waitingWriters =
      new java.util.concurrent.atomic.AtomicInteger();
  private volatile long lastSendNanos = System.nanoTime();
  private final java.util.concurrent.atomic.AtomicLong paddingReceived =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong paddingSent =
      new java.util.concurrent.atomic.AtomicLong();
  private final AtomicBoolean paddingStarted = new AtomicBoolean();

  private Channel(
      RelayTarget target,
      SSLSocket socket,
      DataInputStream in,
      OutputStream out,
      int linkVersion,
      CertsValidator.Identities identities) {
    this.target = target;
    this.socket = socket;
    this.in = in;
    this.out = out;
    this.linkVersion = linkVersion;
    this.codec = new CellCodec(linkVersion);
    this.identities = identities;
  }

  /**
   * Connects, runs the link handshake and checks the relay's identities, within {@code timeout}.
   */
  public static Channel open(RelayTarget target, Duration timeout) throws IOException {
    SSLSocket s = (SSLSocket) trustAllContext().getSocketFactory().createSocket();
    try {
      s.connect(target.address(), (int) timeout.toMillis());
      s.setSoTimeout((int) timeout.toMillis());
      s.setTcpNoDelay(true);
      s.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
      s.startHandshake();
      byte[] tlsCert = ((X509Certificate) s.getSession().getPeerCertificates()[0]).getEncoded();
      DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 16384));
      OutputStream out = new BufferedOutputStream(s.getOutputStream(), 16384);
      CellCodec initial = CellCodec.initial();
      initial.write(out, Versions.encode(LINK_VERSIONS));
      out.flush();
      Cell versions = initial.read(in);
      List<Integer> theirs = Versions.decode(versions);
      int v = Versions.highestCommon(theirs, LINK_VERSIONS);
      if (v < 0) {
        throw new TorProtocolException(target + " speaks no link version we do: " + theirs);
      }
      CellCodec codec = new CellCodec(v);
      CertsCell certs = null;
      Netinfo netinfo = null;
      for (int i = 0; i < MAX_HANDSHAKE_CELLS && netinfo == null; i++) {
        Cell c = codec.read(in);
        switch (c.command()) {
          case Cell.CERTS -> {
            if (certs != null) {
              throw new TorProtocolException(target + " sent two CERTS cells");
            }
            certs = CertsCell.decode(c);
          }
          case Cell.AUTH_CHALLENGE, Cell.VPADDING, Cell.PADDING -> {
            // We do not authenticate as a relay: AUTH_CHALLENGE is ignored.
          }
          case Cell.NETINFO -> netinfo = Netinfo.decode(c);
          default ->
              throw new TorProtocolException(
                  target + " sent command " + c.command() + " during the link handshake");
        }
      }
      if (certs == null || netinfo == null) {
        throw new TorProtocolException(target + ": link handshake incomplete");
      }
      CertsValidator.Identities ids = CertsValidator.validate(certs, tlsCert, Instant.now());
      if (!MessageDigest.isEqual(ids.rsaId(), target.rsaId())) {
        throw new TorProtocolException(target + " proved another RSA identity");
      }
      if (target.ed25519Id() != null
          && !MessageDigest.isEqual(ids.ed25519Id(), target.ed25519Id())) {
        throw new TorProtocolException(target + " proved another Ed25519 identity");
      }
      // Our NETINFO: no clock (timestamp 0), the address we reached, none of our own.
      InetAddress peer = target.address().getAddress();
      codec.write(out, new Netinfo(0, peer, List.of()).encode());
      out.flush();
      s.setSoTimeout(0);
      Channel ch = new Channel(target, s, in, out, v, ids);
      Thread.ofVirtual().name("tor-channel-" + target.address()).start(ch::readLoop);
      LOG.debug("channel to {} open, link protocol {}", target, v);
      return ch;
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    } catch (GeneralSecurityException e) {
      s.close();
      throw new TorProtocolException(target + ": TLS certificate unusable", e);
    }
  }

  private static SSLContext trustAllContext() throws IOException {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      TrustManager tm =
          new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
              // Tor's link certificates are throwaway: CERTS authenticates the relay.
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
              return new X509Certificate[0];
            }
          };
      ctx.init(null, new TrustManager[] {tm}, RANDOM);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IOException("TLS unavailable", e);
    }
  }

  private void readLoop() {
    IOException cause = null;
    try {
      while (!closed.get()) {
        Cell c = codec.read(in);
        switch (c.command()) {
          case Cell.PADDING, Cell.VPADDING -> paddingReceived.incrementAndGet();
          case Cell.PADDING_NEGOTIATE ->
              // padding-spec §2.5: clients reject negotiation from relays and close the channel.
              throw new TorProtocolException(target + " sent PADDING_NEGOTIATE to a client");
          case Cell.RELAY, Cell.RELAY_EARLY, Cell.CREATED2, Cell.DESTROY, Cell.CREATED_FAST -> {
            CellSink sink = circuits.get(c.circId());
            if (sink != null) {
              sink.deliver(c);
            } else {
              LOG.debug("{}: cell {} for unknown circuit {}", target, c.command(), c.circId());
            }
          }
          default -> LOG.debug("{}: ignoring channel cell {}", target, c.command());
        }
      }
    } catch (TorProtocolException e) {
      LOG.warn("channel to {} closed: {}", target, e.getMessage());
      cause = e;
    } catch (IOException e) {
      cause = e;
    } finally {
      shutdown(cause == null ? new IOException("channel closed") : cause);
    }
  }

  /**
   * Connection padding as a client (padding-spec §2): asks the relay with PADDING_NEGOTIATE START
   * (zero timeouts: "use the consensus values") to pad this channel, and sends a PADDING cell
   * whenever we have sent nothing for a time drawn from max(X,X), X uniform in [lowMs, highMs).
   * Both zero (the consensus turned padding off): STOP, and no padding from us.
   */
  public void startPadding(int lowMs, int highMs) throws IOException {
    if (lowMs == 0 && highMs == 0) {
      send(Cell.fixed(0, Cell.PADDING_NEGOTIATE, new byte[] {0, 1, 0, 0, 0, 0}));
      return;
    }
    if (!paddingStarted.compareAndSet(false, true)) {
      return;
    }
    send(Cell.fixed(0, Cell.PADDING_NEGOTIATE, new byte[] {0, 2, 0, 0, 0, 0}));
    int low = Math.max(0, Math.min(lowMs, highMs));
    int range = Math.max(1, highMs - low);
    Thread.ofVirtual()
        .name("tor-padding-" + target.address())
        .start(() -> {
          try {
            while (!closed.get()) {
              long since = lastSendNanos;
              int x1 = RANDOM.nextInt(range);
              int x2 = RANDOM.nextInt(range);
              long wait =
                  java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(low + Math.max(x1, x2));
              long sleep = since + wait - System.nanoTime();
              if (sleep > 0) {
                Thread.sleep(java.time.Duration.ofNanos(sleep));
              }
              if (!closed.get() && lastSendNanos == since) {
                send(Cell.fixed(0, Cell.PADDING, new byte[0]));
                paddingSent.incrementAndGet();
              }
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } catch (IOException e) {
            LOG.debug("padding on {} stopped: {}", target, e.getMessage());
          }
        });
  }

  /** PADDING/VPADDING cells received (the relay's connection padding). */
  public long paddingReceived() {
    return paddingReceived.get();
  }

  /** PADDING cells we sent on an idle channel. */
  public long paddingSent() {
    return paddingSent.get();
  }

  /** Registers a new circuit and returns its ID (high bit set: we are the initiator). */
  public int register(CellSink sink) throws IOException {
    if (closed.get()) {
      throw new IOException("channel to " + target + " is closed");
    }
    for (int i = 0; i < 64; i++) {
      int id = (RANDOM.nextInt() | 0x80000000);
      if (circuits.putIfAbsent(id, sink) == null) {
        return id;
      }
    }
    throw new IOException("no free circuit ID");
  }

  public void unregister(int circId) {
    circuits.remove(circId);
  }

  public void send(Cell cell) throws IOException {
    send(cell, true);
  }

  /**
   * Writes a cell. Cells are buffered and flushed as one TLS record when the writer asks for it and
   * no other writer is waiting behind it (that one flushes the batch); {@code flush} false promises
   * a later call with {@code flush} true.
   */
  public void send(Cell cell, boolean flush) throws IOException {
    if (closed.get()) {
      throw new IOException("channel to " + target + " is closed");
    }
    byte[] b = codec.encode(cell);
    waitingWriters.incrementAndGet();
    boolean counted = true;
    try {
      synchronized (writeLock) {
        out.write(b);
        lastSendNanos = System.nanoTime();
        counted = false;
        if (waitingWriters.decrementAndGet() == 0 && flush) {
          out.flush();
        }
      }
    } finally {
      if (counted) {
        waitingWriters.decrementAndGet();
      }
    }
  }

  /** Writes out buffered cells (before a writer blocks with cells still unflushed). */
  public void flush() throws IOException {
    if (closed.get()) {
      return;
    }
    synchronized (writeLock) {
      out.flush();
    }
  }

  /** When a cell was last written (for the padding timer). */
  public long lastSendNanos() {
    return lastSendNanos;
  }

  public int linkVersion() {
    return linkVersion;
  }

  public CertsValidator.Identities identities() {
    return identities;
  }

  public RelayTarget target() {
    return target;
  }

  public boolean isOpen() {
    return !closed.get();
  }

  public int circuitCount() {
    return circuits.size();
  }

  private void shutdown(IOException cause) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      socket.close();
    } catch (IOException e) {
      LOG.debug("closing channel socket: {}", e.toString());
    }
    for (CellSink s : circuits.values()) {
      s.channelClosed(cause);
    }
    circuits.clear();
    LOG.debug("channel to {} closed: {}", target, cause.getMessage());
  }

  @Override
  public void close() {
    shutdown(new IOException("channel closed locally"));
  }
}
