package dev.umbra.tor.circuit;

import dev.umbra.tor.cell.Cell;
import dev.umbra.tor.cell.Conflux;
import dev.umbra.tor.cell.Create2;
import dev.umbra.tor.cell.LinkSpecifier;
import dev.umbra.tor.cell.RelayCell;
import dev.umbra.tor.cell.StreamMessages;
import dev.umbra.tor.cell.TorProtocolException;
import dev.umbra.tor.channel.CellSink;
import dev.umbra.tor.channel.Channel;
import dev.umbra.tor.crypto.HopCrypto;
import java.io.Closeable;
import java.io.IOException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client circuit over one channel: hops added with CREATE2/EXTEND2 (ntor, ntor-v3), tor1 relay
 * crypto, circuit-level authenticated SENDMEs and the streams it carries. Flow control towards the
 * last hop is either the fixed window (1000 cells, SENDME every 100) or, when the exit granted it
 * in the ntor-v3 handshake, Tor-Vegas congestion control (prop 324) with a SENDME every negotiated
 * {@code sendme_inc} cells, RTT measured on each SENDME, no stream windows and XON/XOFF per stream.
 * Incoming cells arrive on the channel's reader thread; outgoing cells are encrypted and written
 * under one lock so that cipher state and cell order agree.
 */
public final class Circuit implements CellSink, Closeable, Tunnel, StreamHost {
  private static final Logger LOG = LoggerFactory.getLogger(Circuit.class);
  static final int CIRC_WINDOW = 1000;
  static final int CIRC_INCREMENT = 100;
  private static final int MAX_RELAY_EARLY = 8;

  private final Channel channel;
  private final int circId;
  private final List<HopCrypto> hops = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final List<HopSpec> path = new ArrayList<>();
  private final LinkedBlockingQueue<Object> control = new LinkedBlockingQueue<>();
  private final StreamTable streams = new StreamTable(this);
  private final Object sendLock = new Object();
  private final Object windowLock = new Object();
  private final Deque<Expected> expectedSendmes = new ArrayDeque<>();
  // Conflux: the set this circuit is a leg of, and the linking handshake in progress.
  private volatile ConfluxSet conflux;
  private volatile Conflux.Link pendingLink;
  private volatile long linkSentNanos;
  private volatile long linkRttNanos;
  private volatile Vegas vegas;
  private volatile int sendmeInc = CIRC_INCREMENT;
  private volatile boolean awaitingControl;
  private volatile IOException failure;
  private int relayEarlyLeft = MAX_RELAY_EARLY;
  private long dataCellsSent;
  private int packageWindow = CIRC_WINDOW;
  private int deliverWindow = CIRC_WINDOW;

  /** The digest a SENDME must echo and when the cell that triggers it was sent. */
  @SuppressWarnings("ArrayRecordComponent")
  private record Expected(byte[] digest, long sentNanos) {}

  /** What {@link #congestion()} reports about the congestion window, for status and tests. */
  public record Congestion(
      boolean enabled, int sendmeInc, long cwnd, long inflight, Duration rtt, boolean slowStart) {}

  private Circuit(Channel channel) throws IOException {
    this.channel = channel;
    this.circId = channel.register(this);
  }

  /** Creates a one-hop circuit to the channel's relay with CREATE2 (ntor). */
  public static Circuit create(Channel channel, HopSpec first, Duration timeout)
      throws IOException {
    Circuit c = new Circuit(channel);
    try {
      Handshake hs = Handshake.start(first);
      c.awaitingControl = true;
      channel.send(Cell.fixed(c.circId, Cell.CREATE2, Create2.body(hs.htype(), hs.onionskin())));
      Object reply = c.awaitControl(timeout, "CREATED2");
      if (!(reply instanceof Cell cell) || cell.command() != Cell.CREATED2) {
        throw new TorProtocolException("expected CREATED2, got " + reply);
      }
      byte[] keys = hs.finish(Create2.createdData(cell.payload()));
      c.hops.add(new HopCrypto(keys));
      c.path.add(first);
      return c;
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /**
   * Creates a one-hop circuit with CREATE_FAST, for a directory request to a relay whose onion key
   * is unknown (a fallback directory before the first consensus). The circuit's {@link #path()}
   * stays empty: there is no onion key to name the hop with.
   */
  public static Circuit createFast(Channel channel, Duration timeout) throws IOException {
    Circuit c = new Circuit(channel);
    try {
      byte[] x = dev.umbra.tor.crypto.CreateFast.start();
      c.awaitingControl = true;
      channel.send(Cell.fixed(c.circId, Cell.CREATE_FAST, x));
      Object reply = c.awaitControl(timeout, "CREATED_FAST");
      if (!(reply instanceof Cell cell) || cell.command() != Cell.CREATED_FAST) {
        throw new TorProtocolException("expected CREATED_FAST, got " + reply);
      }
      byte[] keys;
      try {
        keys = dev.umbra.tor.crypto.CreateFast.finish(x, cell.payload(), HopCrypto.KEY_LEN);
      } catch (IllegalArgumentException e) {
        throw new TorProtocolException(e.getMessage());
      }
      c.hops.add(new HopCrypto(keys));
      return c;
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** Extends the circuit by one hop with EXTEND2 (in RELAY_EARLY) and ntor. */
  public void extend(HopSpec next, Duration timeout) throws IOException {
    extend(next, timeout, null);
  }

  /**
   * Extends the circuit by one hop; when {@code cc} enables congestion control and the hop speaks
   * ntor-v3, asks it for congestion control (this hop must then be the last).
   */
  public void extend(HopSpec next, Duration timeout, CcParams cc) throws IOException {
    if (vegas != null) {
      throw new IllegalStateException("congestion control was negotiated with the last hop");
    }
    boolean requestCc = cc != null && cc.enabled() && next.ntorV3();
    Handshake hs = Handshake.start(next, requestCc);
    byte[] body =
        LinkSpecifier.extend2(
            next.target().address().getAddress(),
            next.target().address().getPort(),
            next.target().rsaId(),
            next.target().ed25519Id(),
            hs.htype(),
            hs.onionskin());
    awaitingControl = true;
    send(new RelayCell(RelayCell.EXTEND2, 0, body), true);
    Object reply = awaitControl(timeout, "EXTENDED2");
    if (!(reply instanceof RelayCell rc) || rc.command() != RelayCell.EXTENDED2) {
      throw new TorProtocolException("expected EXTENDED2, got " + reply);
    }
    byte[] keys = hs.finish(Create2.createdData(rc.data()));
    int granted = hs.grantedSendmeInc();
    if (granted > 0) {
      // prop 324 §10.5: refuse an increment more than a factor 2 from the consensus value.
      if (granted * 2 < cc.sendmeInc() || granted > cc.sendmeInc() * 2) {
        fail(new IOException("exit negotiated sendme_inc " + granted), true);
        throw new TorProtocolException(
            "exit negotiated sendme_inc " + granted + ", consensus says " + cc.sendmeInc());
      }
    }
    synchronized (sendLock) {
      hops.add(new HopCrypto(keys));
      path.add(next);
      if (granted > 0) {
        synchronized (windowLock) {
          sendmeInc = granted;
          vegas = new Vegas(cc, granted);
        }
      }
    }
  }

  private Object awaitControl(Duration timeout, String what) throws IOException {
    try {
      Object o = control.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
      awaitingControl = false;
      if (o == null) {
        IOException e = new IOException("timed out waiting for " + what);
        fail(e, true);
        throw e;
      }
      if (o instanceof IOException e) {
        throw new IOException(what + " failed: " + e.getMessage(), e);
      }
      return o;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted waiting for " + what, e);
    }
  }

  /** Opens a stream to {@code host:port} at the last hop (BEGIN, then CONNECTED or END). */
  @Override
  public TorStream openStream(String host, int port, Duration timeout) throws IOException {
    checkOpen();
    checkNotLeg();
    return streams.open(
        RelayCell.BEGIN,
        StreamMessages.begin(host, port, StreamMessages.FLAG_IPV6_OK),
        xoffLimit(),
        timeout);
  }

  /** Asks the last hop to resolve {@code host} (RESOLVE / RESOLVED); no stream is opened. */
  @Override
  public List<java.net.InetAddress> resolve(String host, Duration timeout) throws IOException {
    checkOpen();
    checkNotLeg();
    return streams.resolve(host, xoffLimit(), timeout);
  }

  /** Opens a directory stream to the last hop (BEGIN_DIR); never on a conflux leg. */
  public TorStream openDirStream(Duration timeout) throws IOException {
    checkOpen();
    checkNotLeg();
    return streams.open(RelayCell.BEGIN_DIR, new byte[0], xoffLimit(), timeout);
  }

  private void checkNotLeg() throws IOException {
    if (conflux != null || pendingLink != null) {
      throw new IOException("streams on a conflux leg go through its set");
    }
  }

  /** The XOFF threshold of streams on this circuit (0: fixed windows, no XON/XOFF). */
  int xoffLimit() {
    Vegas v = vegas;
    return v == null ? 0 : v.params().xoffClient();
  }

  @Override
  public void sendStream(RelayCell rc, boolean flush) throws IOException {
    send(rc, false, flush);
  }

  @Override
  public void sendData(RelayCell rc, boolean flush, Duration windowWait) throws IOException {
    takePackageWindow(windowWait);
    send(rc, false, flush);
  }

  @Override
  public StreamTable streams() {
    return streams;
  }

  @Override
  public Circuit primary() {
    return this;
  }

  @Override
  public List<Circuit> circuits() {
    return List.of(this);
  }

  /** Encrypts and sends a relay message to the last hop. */
  void send(RelayCell rc, boolean early) throws IOException {
    send(rc, early, true);
  }

  /**
   * Encrypts and sends a relay message to the last hop; {@code flush} false lets the channel put
   * the next cells into the same TLS record.
   */
  void send(RelayCell rc, boolean early, boolean flush) throws IOException {
    checkOpen();
    synchronized (sendLock) {
      int target = hops.size() - 1;
      byte[] p = rc.encode();
      byte[] digest = hops.get(target).seal(p);
      if (rc.command() == RelayCell.DATA) {
        // The exit's SENDME v1 echoes the digest of every sendme_inc-th DATA cell in wire order;
        // its arrival time gives the RTT.
        dataCellsSent++;
        if (dataCellsSent % sendmeInc == 0) {
          synchronized (windowLock) {
            expectedSendmes.addLast(new Expected(digest, System.nanoTime()));
          }
        }
      }
      for (int i = target; i >= 0; i--) {
        hops.get(i).encryptForward(p);
      }
      int cmd = Cell.RELAY;
      if (early) {
        if (relayEarlyLeft == 0) {
          throw new IOException("RELAY_EARLY budget exhausted");
        }
        relayEarlyLeft--;
        cmd = Cell.RELAY_EARLY;
      }
      channel.send(new Cell(circId, cmd, p), flush);
    }
  }

  /**
   * Takes one unit of the circuit package window (or of the congestion window), waiting (bounded)
   * for a SENDME.
   */
  void takePackageWindow(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (windowLock) {
      Vegas v = vegas;
      boolean flushed = false;
      while (v != null ? !v.canSend() : packageWindow <= 0) {
        checkOpen();
        if (!flushed) {
          // Cells of this writer may still sit in the channel buffer: they must go out for the
          // SENDME we are about to wait for.
          channel.flush();
          flushed = true;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IOException("circuit window stayed closed for " + timeout);
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(windowLock, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", e);
        }
      }
      if (v != null) {
        v.onSent();
      } else {
        packageWindow--;
      }
    }
  }

  @Override
  public void deliver(Cell cell) {
    try {
      switch (cell.command()) {
        case Cell.RELAY -> receiveRelay(cell.payload()); // the codec's own fresh array
        case Cell.RELAY_EARLY -> throw new TorProtocolException("inbound RELAY_EARLY");
        case Cell.CREATED2, Cell.CREATED_FAST -> {
          if (!awaitingControl || !hops.isEmpty()) {
            throw new TorProtocolException("unexpected CREATED2/CREATED_FAST");
          }
          control.add(cell);
        }
        case Cell.DESTROY -> {
          int reason = cell.payload().length > 0 ? cell.payload()[0] & 0xFF : 0;
          fail(
              new IOException("circuit destroyed by relay: " + Create2.destroyReason(reason)),
              false);
        }
        default -> throw new TorProtocolException("unexpected cell " + cell.command());
      }
    } catch (TorProtocolException e) {
      LOG.warn(
          "circuit {} on {}: {}", Integer.toHexString(circId), channel.target(), e.getMessage());
      fail(e, true);
    } catch (IOException e) {
      fail(e, true);
    }
  }

  private void receiveRelay(byte[] p) throws IOException {
    int hopCount;
    synchronized (sendLock) {
      hopCount = hops.size();
    }
    if (hopCount == 0) {
      throw new TorProtocolException("RELAY cell before the circuit was created");
    }
    for (int i = 0; i < hopCount; i++) {
      HopCrypto h = hops.get(i);
      h.decryptBackward(p);
      byte[] digest = h.recognize(p);
      if (digest != null) {
        handle(i, hopCount, RelayCell.decode(p), digest);
        return;
      }
    }
    throw new TorProtocolException("relay cell not recognized by any hop");
  }

  private void handle(int hop, int hopCount, RelayCell rc, byte[] digest) throws IOException {
    boolean fromLast = hop == hopCount - 1;
    if (rc.streamId() == 0) {
      switch (rc.command()) {
        case RelayCell.SENDME -> onCircuitSendme(rc);
        case RelayCell.EXTENDED2, RelayCell.TRUNCATED -> {
          if (!awaitingControl) {
            throw new TorProtocolException("unexpected relay command " + rc.command());
          }
          control.add(rc);
        }
        case RelayCell.CONFLUX_LINKED -> onLinked(fromLast, rc);
        case RelayCell.CONFLUX_SWITCH -> {
          ConfluxSet set = conflux;
          if (set == null || !fromLast) {
            throw new TorProtocolException("CONFLUX_SWITCH outside a conflux set");
          }
          set.onSwitch(this, Conflux.switchSeq(rc.data()));
        }
        case RelayCell.DROP, RelayCell.PADDING_NEGOTIATED -> {}
        default -> throw new TorProtocolException("relay command " + rc.command() + " on stream 0");
      }
      return;
    }
    if (!fromLast) {
      throw new TorProtocolException("stream cell from a middle hop");
    }
    if (rc.command() == RelayCell.DATA) {
      onCircuitData(digest); // per leg, in arrival order (prop 329 §2.5)
    }
    ConfluxSet set = conflux;
    if (set != null) {
      set.onCell(this, rc);
    } else {
      streams.dispatch(rc);
    }
  }

  /**
   * CONFLUX_LINKED: only from the exit, only in answer to our LINK, with our nonce; acknowledged at
   * once (the exit measures its RTT up to our LINKED_ACK).
   */
  private void onLinked(boolean fromLast, RelayCell rc) throws IOException {
    Conflux.Link sent = pendingLink;
    if (sent == null || !awaitingControl || !fromLast || conflux != null) {
      throw new TorProtocolException("unexpected CONFLUX_LINKED");
    }
    Conflux.Link got = Conflux.Link.decode(rc.data());
    if (!MessageDigest.isEqual(got.nonce(), sent.nonce())) {
      throw new TorProtocolException("CONFLUX_LINKED names another set");
    }
    linkRttNanos = Math.max(1, System.nanoTime() - linkSentNanos);
    send(new RelayCell(RelayCell.CONFLUX_LINKED_ACK, 0, new byte[0]), false, true);
    control.add(rc);
  }

  /** Sends CONFLUX_LINK with {@code link}; {@link #awaitLinked} then waits for the answer. */
  void sendLink(Conflux.Link link) throws IOException {
    if (vegas == null) {
      throw new IOException("conflux needs congestion control with the exit");
    }
    if (streams.size() > 0 || conflux != null || pendingLink != null) {
      throw new IOException("circuit already carries streams or a conflux set");
    }
    pendingLink = link;
    awaitingControl = true;
    linkSentNanos = System.nanoTime();
    send(new RelayCell(RelayCell.CONFLUX_LINK, 0, link.encode()), false, true);
  }

  /** Waits for CONFLUX_LINKED (already checked and acknowledged by the reader). */
  Conflux.Link awaitLinked(Duration timeout) throws IOException {
    Object reply = awaitControl(timeout, "CONFLUX_LINKED");
    if (!(reply instanceof RelayCell rc) || rc.command() != RelayCell.CONFLUX_LINKED) {
      throw new TorProtocolException("expected CONFLUX_LINKED, got " + reply);
    }
    return Conflux.Link.decode(rc.data());
  }

  /** The RTT from our CONFLUX_LINK to the exit's LINKED. */
  long linkRttNanos() {
    return linkRttNanos;
  }

  /** Makes this circuit a leg of {@code set}: its stream messages go to the set from now on. */
  void joinSet(ConfluxSet set) {
    pendingLink = null;
    conflux = set;
  }

  /** The conflux set this circuit is a leg of, or null. */
  public ConfluxSet confluxSet() {
    return conflux;
  }

  private void onCircuitData(byte[] digest) throws IOException {
    boolean sendme;
    synchronized (windowLock) {
      if (deliverWindow <= 0) {
        throw new TorProtocolException("relay overran the circuit window");
      }
      deliverWindow--;
      int inc = sendmeInc;
      sendme = deliverWindow <= CIRC_WINDOW - inc;
      if (sendme) {
        deliverWindow += inc;
      }
    }
    if (sendme) {
      send(new RelayCell(RelayCell.SENDME, 0, StreamMessages.sendmeV1(digest)), false);
    }
  }

  private void onCircuitSendme(RelayCell rc) throws TorProtocolException {
    byte[] got = StreamMessages.sendmeDigest(rc.data());
    long now = System.nanoTime();
    synchronized (windowLock) {
      Expected expected = expectedSendmes.pollFirst();
      Vegas v = vegas;
      if (expected == null || (v == null && packageWindow + CIRC_INCREMENT > CIRC_WINDOW)) {
        throw new TorProtocolException("unexpected circuit SENDME");
      }
      if (got == null) {
        // sendme_accept_min_version=1 on current networks: v0 SENDMEs are refused.
        throw new TorProtocolException("unauthenticated (v0) circuit SENDME");
      }
      if (!MessageDigest.isEqual(got, expected.digest())) {
        throw new TorProtocolException("circuit SENDME v1 digest does not match");
      }
      if (v != null) {
        v.onSendme(now - expected.sentNanos());
      } else {
        packageWindow += CIRC_INCREMENT;
      }
      windowLock.notifyAll();
    }
  }

  @Override
  public void flushChannel() throws IOException {
    channel.flush();
  }

  /** How many half-closed stream records the circuit holds. */
  public int halfClosedCount() {
    return streams.halfClosedCount();
  }

  /** True when the last hop granted congestion control (no stream windows: XON/XOFF). */
  public boolean congestionControlled() {
    return vegas != null;
  }

  public Congestion congestion() {
    synchronized (windowLock) {
      Vegas v = vegas;
      if (v == null) {
        return new Congestion(false, CIRC_INCREMENT, packageWindow, 0, Duration.ZERO, false);
      }
      return new Congestion(
          true,
          v.sendmeInc(),
          v.cwnd(),
          v.inflight(),
          Duration.ofNanos(v.ewmaRttNanos()),
          v.inSlowStart());
    }
  }

  private void checkOpen() throws IOException {
    IOException f = failure;
    if (f != null) {
      throw new IOException("circuit closed: " + f.getMessage(), f);
    }
  }

  @Override
  public void channelClosed(IOException cause) {
    fail(cause, false);
  }

  private void fail(IOException cause, boolean sendDestroy) {
    synchronized (this) {
      if (failure != null) {
        return;
      }
      failure = cause;
    }
    if (sendDestroy && channel.isOpen()) {
      try {
        channel.send(Cell.fixed(circId, Cell.DESTROY, new byte[] {0}));
      } catch (IOException e) {
        LOG.debug("DESTROY not sent: {}", e.toString());
      }
    }
    channel.unregister(circId);
    control.add(cause);
    synchronized (windowLock) {
      windowLock.notifyAll();
    }
    ConfluxSet set = conflux;
    if (set != null) {
      set.legClosed(this, cause);
    } else {
      streams.failAll(cause);
    }
  }

  @Override
  public boolean isOpen() {
    return failure == null;
  }

  public int hopCount() {
    synchronized (sendLock) {
      return hops.size();
    }
  }

  public List<HopSpec> path() {
    synchronized (sendLock) {
      return List.copyOf(path);
    }
  }

  @Override
  public int streamCount() {
    return streams.size();
  }

  public Channel channel() {
    return channel;
  }

  @Override
  public void close() {
    fail(new IOException("circuit closed locally"), true);
  }

  // --- for conflux scheduling: this circuit's congestion window and RTT ---

  /** Takes one unit of the congestion window if there is room now. */
  boolean tryTakePackageWindow() {
    synchronized (windowLock) {
      Vegas v = vegas;
      if (failure != null || v == null || !v.canSend()) {
        return false;
      }
      v.onSent();
      return true;
    }
  }

  /** True when the congestion window has room (cwnd &gt; inflight). */
  boolean canSend() {
    synchronized (windowLock) {
      Vegas v = vegas;
      return failure == null && v != null && v.canSend();
    }
  }

  /** Waits up to {@code nanos} for room in the congestion window (or for the circuit to fail). */
  void awaitWindow(long nanos) throws IOException {
    long deadline = System.nanoTime() + nanos;
    synchronized (windowLock) {
      Vegas v = vegas;
      while (failure == null && v != null && !v.canSend()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(windowLock, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted");
        }
      }
    }
  }

  /** Cells sent and not yet acknowledged by a SENDME (congestion control only). */
  long inflight() {
    synchronized (windowLock) {
      Vegas v = vegas;
      return v == null ? 0 : v.inflight();
    }
  }

  /** The smoothed RTT from congestion control, 0 before the first SENDME. */
  long ewmaRttNanos() {
    synchronized (windowLock) {
      Vegas v = vegas;
      return v == null ? 0 : v.ewmaRttNanos();
    }
  }

  int sendmeIncrement() {
    return sendmeInc;
  }

  /** The last hop's relay (the exit), for conflux legs that must all end there. */
  HopSpec lastHop() {
    synchronized (sendLock) {
      return path.isEmpty() ? null : path.getLast();
    }
  }
}
