package dev.umbra.tor.circuit;

import dev.umbra.tor.cell.Conflux;
import dev.umbra.tor.cell.RelayCell;
import dev.umbra.tor.cell.StreamMessages;
import dev.umbra.tor.cell.TorProtocolException;
import java.io.IOException;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A linked conflux set (prop 329): two or more circuits ("legs") to the same exit, each with its
 * own congestion control, that carry one set of streams. Stream messages that must stay in order
 * (BEGIN, DATA, END, CONNECTED, RESOLVE(D), XON, XOFF) are numbered by one sequence across all
 * legs: the sender tells the receiver with CONFLUX_SWITCH how far the sequence moved on the other
 * legs when it changes legs, and the receiver puts what arrives early on one leg in a bounded
 * reordering queue until the gap is filled from another. SENDMEs stay per leg, counted on arrival.
 *
 * <p>Our own sending follows the algorithm the exit asked for in CONFLUX_LINKED, as C tor maps it
 * (min latency: always the lowest-RTT leg; high throughput: the lowest-RTT leg with room in its
 * congestion window). A leg that closes takes the whole set with it when it was the leg we were
 * sending on, had data in flight, or carried the highest sequence number in either direction (C tor
 * has no retransmission, so those cells are lost); otherwise the set continues on the others.
 */
public final class ConfluxSet implements Tunnel, StreamHost {
  private static final Logger LOG = LoggerFactory.getLogger(ConfluxSet.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Cells the reordering queue may hold before the set is torn down (about 5 MB). */
  static final int MAX_REORDER = 10_000;

  /** How we pick the leg for our own sending (C tor's conflux algorithms). */
  enum Algorithm {
    MIN_RTT,
    LOW_RTT;

    /** C tor's conflux_choose_algorithm: what the peer's desired UX means for our sending. */
    static Algorithm forUx(int ux) {
      return switch (ux) {
        case Conflux.UX_MIN_LATENCY, Conflux.UX_LOW_MEM_LATENCY, Conflux.UX_LOW_MEM_THROUGHPUT ->
            MIN_RTT;
        default -> LOW_RTT;
      };
    }
  }

  /** One leg: its circuit and the absolute sequence numbers last sent and received on it. */
  static final class Leg {
    final Circuit circuit;
    final long linkRttNanos;
    long lastSeqSent;
    long lastSeqRecv;

    Leg(Circuit circuit, long linkRttNanos, long lastSeqSent, long lastSeqRecv) {
      this.circuit = circuit;
      this.linkRttNanos = linkRttNanos;
      this.lastSeqSent = lastSeqSent;
      this.lastSeqRecv = lastSeqRecv;
    }

    /** The congestion-control RTT once measured, else the LINK/LINKED round trip. */
    long rttNanos() {
      long r = circuit.ewmaRttNanos();
      return r > 0 ? r : linkRttNanos;
    }
  }

  private record Queued(long seq, RelayCell cell) {}

  private final List<Leg> legs = new CopyOnWriteArrayList<>();
  private final StreamTable streams = new StreamTable(this);
  private final Algorithm algorithm;
  private final int xoffLimit;
  // Lock order: recvLock before sendLock.
  private final Object recvLock = new Object();
  private final Object sendLock = new Object();
  private final PriorityQueue<Queued> reorder =
      new PriorityQueue<>((a, b) -> Long.compare(a.seq(), b.seq()));
  private long lastSeqDelivered;
  private Leg current;
  private volatile IOException failure;
  private volatile Circuit lastPrimary;
  // What the legs carried, for status and tests.
  private final java.util.Map<Circuit, long[]> carried =
      new java.util.concurrent.ConcurrentHashMap<>();
  private volatile long switchesSent;
  private volatile long switchesReceived;
  private volatile int maxReorder;

  private ConfluxSet(List<Leg> legs, Algorithm algorithm, int xoffLimit) {
    this.legs.addAll(legs);
    this.algorithm = algorithm;
    this.xoffLimit = xoffLimit;
    this.lastPrimary = legs.getFirst().circuit;
    for (Leg l : legs) {
      carried.put(l.circuit, new long[2]);
    }
  }

  /**
   * Links built circuits into a new set: CONFLUX_LINK with a fresh nonce on each (in parallel),
   * each exit's CONFLUX_LINKED (acknowledged with LINKED_ACK as it arrives), then the set. Every
   * leg must end at the same exit with congestion control negotiated. On failure the circuits are
   * left to the caller.
   *
   * @param desiredUx what we ask the exit to do with its sending ({@link
   *     Conflux#UX_HIGH_THROUGHPUT} as C tor clients do by default)
   */
  public static ConfluxSet link(List<Circuit> circuits, int desiredUx, Duration timeout)
      throws IOException {
    if (circuits.size() < 2) {
      throw new IllegalArgumentException("a conflux set needs at least two legs");
    }
    HopSpec exit = circuits.getFirst().lastHop();
    for (Circuit c : circuits) {
      HopSpec h = c.lastHop();
      if (exit == null
          || h == null
          || !java.util.Arrays.equals(h.target().rsaId(), exit.target().rsaId())) {
        throw new IllegalArgumentException("conflux legs must end at the same exit");
      }
    }
    byte[] nonce = new byte[Conflux.NONCE_LEN];
    RANDOM.nextBytes(nonce);
    Conflux.Link link = new Conflux.Link(nonce, 0, 0, desiredUx);
    for (Circuit c : circuits) {
      c.sendLink(link);
    }
    List<Leg> legs = new ArrayList<>();
    Algorithm alg = Algorithm.LOW_RTT;
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Circuit c : circuits) {
      Conflux.Link linked =
          c.awaitLinked(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      // A new set: the exit cannot have sent or received anything on it yet (C tor's data-loss
      // check at finalization).
      if (linked.lastSeqSent() != 0 || linked.lastSeqRecv() != 0) {
        throw new TorProtocolException(
            "exit linked a new conflux set at sequence numbers "
                + linked.lastSeqSent()
                + "/"
                + linked.lastSeqRecv());
      }
      alg = Algorithm.forUx(linked.desiredUx());
      legs.add(new Leg(c, c.linkRttNanos(), linked.lastSeqRecv(), linked.lastSeqSent()));
    }
    ConfluxSet set = new ConfluxSet(legs, alg, circuits.getFirst().xoffLimit());
    for (Leg l : legs) {
      l.circuit.joinSet(set);
    }
    for (Leg l : legs) {
      if (!l.circuit.isOpen()) {
        set.legClosed(l.circuit, new IOException("leg closed while linking"));
      }
    }
    set.checkOpen();
    LOG.debug(
        "conflux set linked: {} legs, our algorithm {}, link RTTs {}",
        legs.size(),
        alg,
        legs.stream().map(l -> l.linkRttNanos / 1000 + " us").toList());
    return set;
  }

  /** C tor's conflux_should_multiplex: the messages that take a place in the set's sequence. */
  static boolean multiplexed(int command) {
    return switch (command) {
      case RelayCell.BEGIN,
          RelayCell.DATA,
          RelayCell.END,
          RelayCell.CONNECTED,
          RelayCell.RESOLVE,
          RelayCell.RESOLVED,
          RelayCell.XOFF,
          RelayCell.XON ->
          true;
      default -> false;
    };
  }

  // ---- receiving ----

  /** A stream message from {@code circuit} (on its channel's reader thread). */
  void onCell(Circuit circuit, RelayCell rc) throws IOException {
    if (!multiplexed(rc.command())) {
      streams.dispatch(rc);
      return;
    }
    synchronized (recvLock) {
      Leg leg = leg(circuit);
      long seq = ++leg.lastSeqRecv;
      carried.get(circuit)[1]++;
      if (seq == lastSeqDelivered + 1) {
        lastSeqDelivered = seq;
        streams.dispatch(rc);
        drain();
      } else if (seq <= lastSeqDelivered) {
        throw new TorProtocolException(
            "conflux cell numbered " + seq + " after " + lastSeqDelivered + " was delivered");
      } else {
        if (reorder.size() >= MAX_REORDER) {
          throw new TorProtocolException(
              "conflux reordering queue over "
                  + MAX_REORDER
                  + " cells (waiting for "
                  + (lastSeqDelivered + 1)
                  + ")");
        }
        reorder.add(new Queued(seq, rc));
        maxReorder = Math.max(maxReorder, reorder.size());
      }
    }
  }

  private void drain() throws TorProtocolException {
    Queued q;
    while ((q = reorder.peek()) != null && q.seq() <= lastSeqDelivered + 1) {
      reorder.poll();
      if (q.seq() <= lastSeqDelivered) {
        throw new TorProtocolException("two conflux cells numbered " + q.seq());
      }
      lastSeqDelivered = q.seq();
      streams.dispatch(q.cell());
    }
  }

  /** CONFLUX_SWITCH from the exit: the sequence on this leg jumps by {@code relativeSeq}. */
  void onSwitch(Circuit circuit, long relativeSeq) throws IOException {
    synchronized (recvLock) {
      Leg leg = leg(circuit);
      leg.lastSeqRecv += relativeSeq;
      switchesReceived++;
    }
  }

  private Leg leg(Circuit circuit) throws TorProtocolException {
    for (Leg l : legs) {
      if (l.circuit == circuit) {
        return l;
      }
    }
    throw new TorProtocolException("conflux cell on a circuit that left the set");
  }

  // ---- sending ----

  @Override
  public void sendStream(RelayCell rc, boolean flush) throws IOException {
    synchronized (sendLock) {
      checkOpen();
      Leg leg = decide(false);
      if (leg == null) {
        leg = current != null ? current : legs.getFirst();
      }
      sendOn(leg, rc, flush);
    }
  }

  @Override
  public void sendData(RelayCell rc, boolean flush, Duration windowWait) throws IOException {
    long deadline = System.nanoTime() + windowWait.toNanos();
    while (true) {
      Leg wait;
      synchronized (sendLock) {
        checkOpen();
        Leg leg = decide(true);
        if (leg != null && leg.circuit.tryTakePackageWindow()) {
          sendOn(leg, rc, flush);
          return;
        }
        wait = leg != null ? leg : minRtt();
        if (current != null) {
          // cells we batched on the current leg must go out before we wait for its SENDMEs
          current.circuit.flushChannel();
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new IOException("conflux legs' congestion windows stayed closed for " + windowWait);
      }
      // Min-RTT waits for its leg; low-RTT takes whichever leg opens first, so it looks again soon.
      wait.circuit.awaitWindow(algorithm == Algorithm.MIN_RTT ? left : Math.min(left, 5_000_000L));
    }
  }

  /** The leg to send on, or null when the algorithm says none can take DATA now. */
  private Leg decide(boolean data) {
    return switch (algorithm) {
      case MIN_RTT -> minRtt();
      case LOW_RTT -> {
        Leg best = null;
        for (Leg l : legs) {
          if (l.circuit.canSend() && (best == null || l.rttNanos() < best.rttNanos())) {
            best = l;
          }
        }
        yield best != null || data ? best : minRtt();
      }
    };
  }

  private Leg minRtt() {
    Leg best = null;
    for (Leg l : legs) {
      if (best == null || l.rttNanos() < best.rttNanos()) {
        best = l;
      }
    }
    return best;
  }

  /** Sends a multiplexed message on {@code leg}, after a SWITCH when we change legs. */
  private void sendOn(Leg leg, RelayCell rc, boolean flush) throws IOException {
    if (!multiplexed(rc.command())) {
      leg.circuit.send(rc, false, flush);
      return;
    }
    Leg prev = current;
    if (prev != leg) {
      if (prev != null) {
        prev.circuit.flushChannel(); // its batched cells come first in the sequence
        long relative = prev.lastSeqSent - leg.lastSeqSent;
        if (relative > 0) {
          leg.circuit.send(
              new RelayCell(RelayCell.CONFLUX_SWITCH, 0, Conflux.switchBody(relative)),
              false,
              false);
          leg.lastSeqSent = prev.lastSeqSent;
          switchesSent++;
        }
      }
      current = leg;
    }
    leg.circuit.send(rc, false, flush);
    leg.lastSeqSent++;
    carried.get(leg.circuit)[0]++;
  }

  @Override
  public void flushChannel() throws IOException {
    for (Leg l : legs) {
      l.circuit.flushChannel();
    }
  }

  // ---- legs closing ----

  /**
   * A leg failed or was closed. C tor's rule without retransmission: the set survives only when the
   * leg was not the one we were sending on, had no data in flight and did not carry the highest
   * sequence number in either direction.
   */
  void legClosed(Circuit circuit, IOException cause) {
    IOException teardown = null;
    synchronized (recvLock) {
      synchronized (sendLock) {
        if (failure != null) {
          return;
        }
        Leg leg = null;
        for (Leg l : legs) {
          if (l.circuit == circuit) {
            leg = l;
          }
        }
        if (leg == null) {
          return;
        }
        legs.remove(leg);
        String why = null;
        if (legs.isEmpty()) {
          why = "its last leg closed";
        } else if (cause instanceof TorProtocolException) {
          why = "a leg violated the protocol";
        } else if (leg == current) {
          why = "the leg we were sending on closed";
        } else if (circuit.inflight() >= circuit.sendmeIncrement()) {
          why = "a leg closed with data in flight";
        } else if (leg.lastSeqSent > maxSent() || leg.lastSeqRecv > maxRecv()) {
          why = "a leg closed that carried the latest cells";
        }
        if (why != null) {
          teardown =
              new IOException("conflux set closed: " + why + ": " + cause.getMessage(), cause);
          failure = teardown;
        } else {
          lastPrimary = legs.getFirst().circuit;
          LOG.info(
              "conflux leg closed ({}); the set continues on {} leg(s)",
              cause.getMessage(),
              legs.size());
        }
      }
    }
    if (teardown != null) {
      LOG.debug("{}", teardown.getMessage());
      streams.failAll(teardown);
      for (Leg l : legs) {
        l.circuit.close();
      }
    }
  }

  private long maxSent() {
    long m = 0;
    for (Leg l : legs) {
      m = Math.max(m, l.lastSeqSent);
    }
    return m;
  }

  private long maxRecv() {
    long m = 0;
    for (Leg l : legs) {
      m = Math.max(m, l.lastSeqRecv);
    }
    return m;
  }

  private void checkOpen() throws IOException {
    IOException f = failure;
    if (f != null) {
      throw new IOException(f.getMessage(), f);
    }
    if (legs.isEmpty()) {
      throw new IOException("conflux set has no legs");
    }
  }

  // ---- the tunnel ----

  @Override
  public TorStream openStream(String host, int port, Duration timeout) throws IOException {
    checkOpen();
    return streams.open(
        RelayCell.BEGIN,
        StreamMessages.begin(host, port, StreamMessages.FLAG_IPV6_OK),
        xoffLimit,
        timeout);
  }

  @Override
  public List<InetAddress> resolve(String host, Duration timeout) throws IOException {
    checkOpen();
    return streams.resolve(host, xoffLimit, timeout);
  }

  @Override
  public boolean isOpen() {
    return failure == null && !legs.isEmpty();
  }

  @Override
  public int streamCount() {
    return streams.size();
  }

  @Override
  public List<Circuit> circuits() {
    return legs.stream().map(l -> l.circuit).toList();
  }

  @Override
  public StreamTable streams() {
    return streams;
  }

  @Override
  public Circuit primary() {
    List<Leg> l = legs;
    return l.isEmpty() ? lastPrimary : l.getFirst().circuit;
  }

  /** The leg our own multiplexed cells went on last (null before we sent any). */
  public Circuit sendingLeg() {
    synchronized (sendLock) {
      return current == null ? null : current.circuit;
    }
  }

  /** How many legs the set has now. */
  public int legCount() {
    return legs.size();
  }

  /** Multiplexed cells sent ([0]) and received ([1]) on each leg that ever belonged to the set. */
  public java.util.Map<Circuit, long[]> cellsPerLeg() {
    java.util.Map<Circuit, long[]> out = new java.util.LinkedHashMap<>();
    carried.forEach((c, v) -> out.put(c, v.clone()));
    return out;
  }

  /** SWITCH messages sent and received, and the longest the reordering queue got. */
  public String stats() {
    return "switches sent "
        + switchesSent
        + ", received "
        + switchesReceived
        + ", reordering queue peak "
        + maxReorder;
  }

  /** The longest the reordering queue got. */
  public int reorderPeak() {
    return maxReorder;
  }

  @Override
  public void close() {
    synchronized (recvLock) {
      synchronized (sendLock) {
        if (failure == null) {
          failure = new IOException("conflux set closed locally");
        }
      }
    }
    streams.failAll(failure);
    for (Leg l : legs) {
      l.circuit.close();
    }
  }
}
