package dev.umbra.netstack;

import static dev.umbra.netstack.TcpSegment.ACK;
import static dev.umbra.netstack.TcpSegment.FIN;
import static dev.umbra.netstack.TcpSegment.PSH;
import static dev.umbra.netstack.TcpSegment.RST;
import static dev.umbra.netstack.TcpSegment.SYN;

import dev.umbra.core.net.Conn;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection of a {@link NetStack} (RFC 9293), as a blocking {@link Conn}. The state
 * machine runs under one lock: segments from the link ({@link #segmentArrives}), the stack's timer
 * tick ({@link #tick}), and the application's reads and writes all take it. Data lives in two
 * growable rings (send: from SND.UNA; receive: readable bytes, then out-of-order bytes written in
 * place at their offset), so nothing is copied per byte.
 *
 * <p>Speaks window scaling, timestamps (RTTM and PAWS), SACK both ways, RTO per RFC 6298, fast
 * retransmit and SACK-based / NewReno recovery, a pluggable {@link CongestionControl}, the persist
 * timer, delayed ACKs, and RFC 5961 challenge ACKs.
 */
public final class TcpConn implements Conn {
  private static final Logger LOG = LoggerFactory.getLogger(TcpConn.class);

  private static final int MAX_OOO_RANGES = 32;
  private static final int CHALLENGE_ACKS_PER_SECOND = 10;
  private static final int MAX_SACK_SCOREBOARD = 32;
  private static final int SYN_RETRIES = 6;
  private static final int SYNACK_RETRIES = 5;
  private static final int DATA_RETRIES = 12;
  private static final long INITIAL_RTO = TimeUnit.SECONDS.toNanos(1);
  private static final long MAX_RTO = TimeUnit.SECONDS.toNanos(60);
  private static final long DELACK = TimeUnit.MILLISECONDS.toNanos(40);

  /**
   * In-order segments per ACK. Stretch ACKs (as Linux sends for GRO batches): in a tunnel every ACK
   * costs an encryption and a system call, and a bulk sender is paced by the bytes acknowledged,
   * not by the number of ACKs. Holes, out-of-order data and FINs are still acknowledged at once.
   */
  private static final int ACK_EVERY = 4;

  private static final long FIN_WAIT_2_TIMEOUT = TimeUnit.SECONDS.toNanos(60);
  private static final long CLOCK_GRANULARITY = TimeUnit.MILLISECONDS.toNanos(10);

  private final NetStack stack;
  private final TcpStats stats;
  final TcpKey key;
  private final InetSocketAddress local;
  private final InetSocketAddress remote;
  private final byte[] localIp;
  private final byte[] remoteIp;
  private final boolean v4;
  private final boolean passive;
  private final long minRto;
  private final long timeWait;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition readable = lock.newCondition();
  private final Condition writable = lock.newCondition();

  private TcpState state;
  private String error; // set when the connection failed; reads and writes throw it
  private boolean userClosed;
  private volatile int readTimeoutMillis;
  volatile boolean gone; // CLOSED and out of the stack's table (the stack's lookup cache reads it)

  // ---- send side
  private int iss;
  private int sndUna;
  private int sndNxt;
  private int sndMax;
  private int sndWnd;
  private int maxSndWnd;
  private int sndWl1;
  private int sndWl2;
  private int sndShift;
  private int sndMss; // peer's MSS clamped to our MTU
  private int mss; // payload per segment (sndMss minus fixed options)
  private final ByteRing sendBuf;
  private boolean finQueued;
  private boolean finSent;
  private boolean finAcked;
  private int finSeq;
  private CongestionControl cc;

  // ---- loss recovery
  private boolean inRecovery;
  private int recover;
  private int dupAcks;
  private int rtxNext;
  private boolean forceRtx;
  private final int[] scoreboard = new int[2 * MAX_SACK_SCOREBOARD];
  private int scoreCount;
  private int holeStart;
  private int holeLen;

  // ---- RTT and timers (deadlines in System.nanoTime, 0 = not armed)
  private long srtt = -1;
  private long rttvar;
  private long rto = INITIAL_RTO;
  private int retries;
  private boolean rttTiming;
  private int rttSeq;
  private long rttStart;
  private long rtoAt;
  private long delackAt;
  private long persistAt;
  private int persistBackoff;
  private long timeWaitAt;
  private long finWait2At;
  private long lastAckIn;
  private long challengeWindow;
  private int challengeCount;
  private boolean rtoUndoable;
  private int rtoTsVal;

  // ---- receive side
  private int irs;
  private int rcvNxt;
  private int rcvShift;
  private final ByteRing recvBuf;
  private int lastAckSent;
  private int lastAdvWnd;
  private final int[] ooo = new int[2 * MAX_OOO_RANGES];
  private int oooCount;
  private int oooLatest;
  private boolean finReceived;
  private boolean oooFin;
  private int oooFinSeq;
  private int unackedSegs;

  // ---- negotiated options
  private boolean sackOk;
  private boolean tsOk;
  private boolean wsOk;
  private int tsRecent;

  private final TcpSegment out = new TcpSegment();
  private byte[] tx = new byte[0];

  private final InputStream in = new In();
  private final OutputStream outStream = new Out();

  private TcpConn(
      NetStack stack,
      TcpKey key,
      InetSocketAddress local,
      InetSocketAddress remote,
      boolean passive) {
    this.stack = stack;
    this.stats = stack.tcpStats();
    this.key = key;
    this.local = local;
    this.remote = remote;
    this.localIp = local.getAddress().getAddress();
    this.remoteIp = remote.getAddress().getAddress();
    this.v4 = localIp.length == 4;
    this.passive = passive;
    StackSettings cfg = stack.settings();
    this.minRto = cfg.minRto().toNanos();
    this.timeWait = cfg.timeWait().toNanos();
    this.sendBuf = new ByteRing(cfg.tcpSendBuffer());
    this.recvBuf = new ByteRing(cfg.tcpReceiveBuffer());
    int shift = 0;
    while (shift < 14 && (cfg.tcpReceiveBuffer() >> shift) > 65535) {
      shift++;
    }
    this.rcvShift = shift;
    this.iss = ThreadLocalRandom.current().nextInt();
    this.sndUna = iss;
    this.sndNxt = iss;
    this.sndMax = iss;
    this.recover = iss;
  }

  /** A connection we open: SYN-SENT, SYN already sent. */
  static TcpConn active(
      NetStack stack, TcpKey key, InetSocketAddress local, InetSocketAddress remote) {
    TcpConn c = new TcpConn(stack, key, local, remote, false);
    c.lock.lock();
    try {
      c.state = TcpState.SYN_SENT;
      c.sendSyn(System.nanoTime());
    } finally {
      c.lock.unlock();
    }
    return c;
  }

  /** A connection the forwarder accepted from {@code syn}: SYN-RECEIVED (caller sends SYN-ACK). */
  static TcpConn passive(
      NetStack stack,
      TcpKey key,
      InetSocketAddress local,
      InetSocketAddress remote,
      TcpSegment syn) {
    TcpConn c = new TcpConn(stack, key, local, remote, true);
    c.state = TcpState.SYN_RECEIVED;
    c.irs = syn.seq;
    c.rcvNxt = syn.seq + 1;
    c.lastAckSent = c.rcvNxt;
    c.negotiate(syn);
    c.sndWnd = syn.window; // never scaled in a SYN
    c.maxSndWnd = c.sndWnd;
    c.sndWl1 = syn.seq;
    c.sndWl2 = c.iss;
    return c;
  }

  /** Options from the peer's SYN (ours are always offered). */
  private void negotiate(TcpSegment syn) {
    int mtuMss = stack.settings().mtu() - (v4 ? 20 : 40) - TcpSegment.HEADER;
    int peerMss = syn.mss > 0 ? syn.mss : (v4 ? 536 : 1220);
    sndMss = Math.max(64, Math.min(peerMss, mtuMss));
    wsOk = syn.wscale >= 0;
    if (wsOk) {
      sndShift = syn.wscale;
    } else {
      sndShift = 0;
      rcvShift = 0;
    }
    sackOk = syn.sackPermitted;
    tsOk = syn.hasTimestamp;
    if (tsOk) {
      tsRecent = syn.tsVal;
    }
    mss = sndMss - (tsOk ? 12 : 0);
    cc = CongestionControl.create(stack.settings().congestionControl(), mss);
  }

  // ------------------------------------------------------------------ public API

  @Override
  public InputStream in() {
    return in;
  }

  @Override
  public OutputStream out() {
    return outStream;
  }

  @Override
  public InetSocketAddress localAddress() {
    return local;
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return remote;
  }

  @Override
  public void setReadTimeout(int millis) {
    readTimeoutMillis = millis;
  }

  public TcpState state() {
    lock.lock();
    try {
      return state;
    } finally {
      lock.unlock();
    }
  }

  /** Negotiated options, for diagnostics: "mss=… wscale=…/… sack=… ts=…". */
  public String options() {
    lock.lock();
    try {
      return "mss=%d wscale=%d/%d sack=%b ts=%b"
          .formatted(sndMss, sndShift, rcvShift, sackOk, tsOk);
    } finally {
      lock.unlock();
    }
  }

  /** Sends FIN after the data already written; later writes throw. */
  @Override
  public void shutdownOutput() throws IOException {
    lock.lock();
    try {
      if (error != null) {
        throw new SocketException(error);
      }
      queueFin();
    } finally {
      lock.unlock();
    }
  }

  private void queueFin() {
    if (finQueued) {
      return;
    }
    switch (state) {
      case ESTABLISHED -> state = TcpState.FIN_WAIT_1;
      case CLOSE_WAIT -> state = TcpState.LAST_ACK;
      default -> {
        return;
      }
    }
    finQueued = true;
    writable.signalAll();
    output(System.nanoTime());
  }

  /**
   * Closes the connection: FIN after queued data, or RST if received data was left unread (RFC 1122
   * 4.2.2.13). Does not wait; the stack finishes the close in the background.
   */
  @Override
  public void close() {
    lock.lock();
    try {
      if (userClosed) {
        return;
      }
      userClosed = true;
      switch (state) {
        case SYN_SENT, SYN_RECEIVED -> terminate("closed");
        case CLOSED, TIME_WAIT -> {}
        default -> {
          if (recvBuf.size() > 0 || oooCount > 0) {
            sendRst(sndNxt, true, "closed with unread data");
            terminate("closed");
          } else {
            queueFin();
            if (state == TcpState.FIN_WAIT_2) {
              finWait2At = System.nanoTime() + FIN_WAIT_2_TIMEOUT;
            }
          }
        }
      }
      readable.signalAll();
      writable.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Aborts with a RST, discarding both buffers. */
  public void abort() {
    lock.lock();
    try {
      userClosed = true;
      if (state != TcpState.CLOSED && state != TcpState.TIME_WAIT) {
        if (state != TcpState.SYN_SENT) {
          sendRst(sndNxt, true, "aborted");
        }
        terminate("aborted");
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "tcp " + local + " <-> " + remote;
  }

  // ------------------------------------------------------------------ dialing

  void awaitEstablished(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          terminate("connect timed out");
          throw new SocketTimeoutException(
              "TCP connect to " + remote + " timed out after " + timeout.toMillis() + " ms");
        }
        try {
          writable.awaitNanos(left);
        } catch (InterruptedException e) {
          terminate("interrupted");
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while connecting to " + remote);
        }
      }
      if (error != null) {
        if (error.startsWith("refused")) {
          throw new ConnectException("TCP connection to " + remote + " refused (RST)");
        }
        throw new ConnectException("TCP connect to " + remote + " failed: " + error);
      }
    } finally {
      lock.unlock();
    }
  }

  // ------------------------------------------------------------------ input

  /** One parsed segment for this connection, from the link. */
  void segmentArrives(TcpSegment s) {
    lock.lock();
    try {
      long now = System.nanoTime();
      switch (state) {
        case CLOSED -> {
          return;
        }
        case SYN_SENT -> {
          synSent(s, now);
          return;
        }
        case SYN_RECEIVED -> {
          if (s.has(SYN) && !s.has(ACK) && s.seq == irs) {
            sendSynAck(); // our SYN-ACK was lost
            return;
          }
        }
        default -> {}
      }
      if (tsOk && s.hasTimestamp && !s.has(RST) && s.tsVal - tsRecent < 0) {
        stats.pawsDropped.increment(); // RFC 7323 5.3: an old duplicate
        sendAck();
        return;
      }
      int wnd = recvBuf.free();
      int len = s.seqLength();
      boolean acceptable;
      if (len == 0) {
        acceptable = wnd == 0 ? s.seq == rcvNxt : inWindow(s.seq, rcvNxt, wnd);
      } else {
        acceptable =
            wnd > 0 && (inWindow(s.seq, rcvNxt, wnd) || inWindow(s.seq + len - 1, rcvNxt, wnd));
      }
      if (!acceptable) {
        if (!s.has(RST)) {
          if (state == TcpState.TIME_WAIT && s.has(FIN)) {
            timeWaitAt = now + timeWait;
          }
          sendAck();
        }
        return;
      }
      if (s.has(RST)) {
        if (state == TcpState.TIME_WAIT) {
          // RFC 1337: a RST must not cut TIME-WAIT short (it is often the answer of a peer that
          // already closed to our last ACK): our side is done, the reader still gets its EOF
          LOG.debug("{}: RST ignored in TIME-WAIT", this);
          return;
        }
        if (s.seq == rcvNxt) {
          LOG.debug("{} in {}: connection reset by peer", this, state);
          stats.resetsIn.increment();
          terminate(state == TcpState.SYN_RECEIVED ? "reset" : "connection reset by peer");
        } else {
          challengeAck(); // RFC 5961 3.2
        }
        return;
      }
      if (s.has(SYN)) {
        challengeAck(); // RFC 5961 4.2
        return;
      }
      if (!s.has(ACK)) {
        return;
      }
      if (tsOk && s.hasTimestamp && seqLe(s.seq, lastAckSent)) {
        tsRecent = s.tsVal; // RFC 7323 4.3
      }
      if (state == TcpState.SYN_RECEIVED) {
        if (seqGt(s.ack, sndUna) && seqLe(s.ack, sndNxt)) {
          state = TcpState.ESTABLISHED;
          sndUna = s.ack;
          sndWnd = s.window << sndShift;
          maxSndWnd = sndWnd;
          sndWl1 = s.seq;
          sndWl2 = s.ack;
          rtoAt = 0;
          retries = 0;
          if (tsOk && s.hasTimestamp && s.tsEcr != 0) {
            sampleRtt(TimeUnit.MILLISECONDS.toNanos(stack.tsNow() - s.tsEcr));
          }
          if (passive) {
            stack.tcpEstablished(this);
          } else {
            writable.signalAll(); // simultaneous open: the dialer is waiting
          }
        } else {
          sendRst(s.ack, false, "handshake ACK for a sequence number we never sent");
          return;
        }
      }
      if (seqGt(s.ack, sndMax)) {
        sendAck(); // acknowledges something not yet sent
        return;
      }
      if (seqLt(s.ack, sndUna - Math.max(maxSndWnd, 65535))) {
        challengeAck(); // RFC 5961 5.2
        return;
      }
      processAck(s, now);
      if (state == TcpState.CLOSED) {
        return;
      }
      if (s.dataLen > 0 || s.has(FIN)) {
        switch (state) {
          case ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2 -> {
            if (userClosed && s.dataLen > 0 && seqGt(s.seq + s.dataLen, rcvNxt)) {
              // nobody will read it: tell the peer (RFC 9293 3.10.7.4, RFC 1122 4.2.2.13)
              sendRst(sndNxt, true, "data arrived after close");
              terminate("data arrived after close");
              return;
            }
            receive(s, now);
          }
          default -> {}
        }
      }
      output(now);
    } finally {
      lock.unlock();
    }
  }

  private void synSent(TcpSegment s, long now) {
    if (s.has(ACK) && (seqLe(s.ack, iss) || seqGt(s.ack, sndNxt))) {
      if (!s.has(RST)) {
        sendRstRaw(s.ack, 0, RST, "SYN-SENT got an ACK outside our sequence space");
      }
      return;
    }
    if (s.has(RST)) {
      if (s.has(ACK)) {
        stats.resetsIn.increment();
        terminate("refused");
      }
      return;
    }
    if (!s.has(SYN)) {
      return;
    }
    irs = s.seq;
    rcvNxt = s.seq + 1;
    lastAckSent = rcvNxt;
    negotiate(s);
    if (!s.has(ACK)) {
      // simultaneous open: rare, but RFC 9293 allows it
      state = TcpState.SYN_RECEIVED;
      sndWnd = s.window;
      sndWl1 = s.seq;
      sendSynAck();
      return;
    }
    sndUna = s.ack;
    sndWnd = s.window; // a SYN's window is never scaled
    maxSndWnd = sndWnd;
    sndWl1 = s.seq;
    sndWl2 = s.ack;
    rtoAt = 0;
    retries = 0;
    if (tsOk && s.hasTimestamp && s.tsEcr != 0) {
      sampleRtt(TimeUnit.MILLISECONDS.toNanos(stack.tsNow() - s.tsEcr));
    } else if (rttTiming) {
      sampleRtt(now - rttStart);
    }
    rttTiming = false;
    state = TcpState.ESTABLISHED;
    sendAck();
    writable.signalAll();
  }

  private void processAck(TcpSegment s, long now) {
    int ack = s.ack;
    lastAckIn = now;
    boolean windowUnchanged = (s.window << sndShift) == sndWnd;
    if (seqGt(ack, sndUna)) {
      int acked = ack - sndUna;
      int dataAcked = Math.min(acked, sendBuf.size());
      sendBuf.skip(dataAcked);
      sndUna = ack;
      if (seqLt(sndNxt, sndUna)) {
        sndNxt = sndUna;
      }
      if (finSent && seqGt(ack, finSeq)) {
        finAcked = true;
      }
      if (tsOk && s.hasTimestamp && s.tsEcr != 0) {
        sampleRtt(TimeUnit.MILLISECONDS.toNanos(stack.tsNow() - s.tsEcr));
      } else if (rttTiming && seqGt(ack, rttSeq)) {
        sampleRtt(now - rttStart);
        rttTiming = false;
      }
      if (rtoUndoable) {
        rtoUndoable = false;
        if (tsOk && s.hasTimestamp && seqLt(s.tsEcr, rtoTsVal)) {
          // Eifel (RFC 3522/4015): this ACK is for the original transmission, the timeout was
          // spurious (a delay, not a loss): restore the window, don't resend everything
          stats.spuriousTimeouts.increment();
          cc.undo();
          sndNxt = sndMax;
          inRecovery = false;
        }
      }
      retries = 0;
      persistBackoff = 0;
      pruneScoreboard();
      if (s.sackCount > 0 && sackOk) {
        updateScoreboard(s);
      }
      if (inRecovery) {
        if (seqGe(ack, recover)) {
          inRecovery = false;
          cc.onRecoveryEnd();
        } else {
          // partial ACK (RFC 6582): the next hole is lost too
          if (seqLt(rtxNext, sndUna)) {
            rtxNext = sndUna;
          }
          if (!sackOk) {
            forceRtx = true;
          }
        }
      } else {
        cc.onAck(dataAcked, srtt > 0 ? srtt / 1000 : 0, now);
      }
      dupAcks = 0;
      rtoAt = (sndMax != sndUna || (finSent && !finAcked)) ? now + rto : 0;
      writable.signalAll();
      if (finAcked) {
        switch (state) {
          case FIN_WAIT_1 -> {
            state = TcpState.FIN_WAIT_2;
            if (userClosed) {
              finWait2At = now + FIN_WAIT_2_TIMEOUT;
            }
          }
          case CLOSING -> enterTimeWait(now);
          case LAST_ACK -> {
            terminate(null);
            return;
          }
          default -> {}
        }
      }
    } else if (ack == sndUna) {
      boolean newSack = s.sackCount > 0 && sackOk && updateScoreboard(s);
      if (s.dataLen == 0 && !s.has(FIN) && sndMax != sndUna && (windowUnchanged || newSack)) {
        stats.dupAcks.increment();
        dupAcks++;
        if (!inRecovery
            && seqGe(sndUna, recover)
            && (dupAcks >= 3 || (sackOk && sackedBytes() >= 3 * mss))) {
          enterRecovery(now);
        }
      }
    }
    if (seqLt(sndWl1, s.seq) || (sndWl1 == s.seq && seqLe(sndWl2, ack))) {
      sndWnd = s.window << sndShift;
      maxSndWnd = Math.max(maxSndWnd, sndWnd);
      sndWl1 = s.seq;
      sndWl2 = ack;
      if (sndWnd > 0) {
        persistAt = 0;
        persistBackoff = 0;
      }
    }
  }

  private void enterRecovery(long now) {
    stats.fastRetransmits.increment();
    inRecovery = true;
    recover = sndMax;
    cc.onLoss(sndMax - sndUna, now);
    rtxNext = sndUna;
    forceRtx = true;
    rttTiming = false;
  }

  private void receive(TcpSegment s, long now) {
    int seq = s.seq;
    int off = s.dataOff;
    int len = s.dataLen;
    boolean fin = s.has(FIN);
    int finAt = s.seq + s.dataLen;
    if (seqLt(seq, rcvNxt)) {
      int d = rcvNxt - seq;
      if (d >= len) {
        len = 0;
      } else {
        off += d;
        len -= d;
      }
      seq = rcvNxt;
    }
    int free = recvBuf.free();
    int rel = seq - rcvNxt;
    if (rel + len > free) {
      len = Math.max(0, free - rel); // beyond our window: dropped, the peer resends
      fin = false;
    }
    boolean ackNow = false;
    if (len > 0) {
      if (rel == 0) {
        recvBuf.writeAt(recvBuf.size(), s.data, off, len);
        recvBuf.commit(len);
        rcvNxt += len;
        if (oooCount > 0) {
          mergeOoo();
          ackNow = true; // filled (part of) a hole: tell the sender at once (RFC 5681 4.2)
        }
        readable.signalAll();
        unackedSegs++;
      } else {
        stats.outOfOrder.increment();
        if (addOoo(seq, seq + len)) {
          recvBuf.writeAt(recvBuf.size() + rel, s.data, off, len);
        }
        ackNow = true; // duplicate ACK with SACK blocks
      }
    } else if (s.dataLen > 0) {
      ackNow = true; // all old: a duplicate
    }
    if (fin) {
      if (finAt == rcvNxt) {
        processFin(now);
        return;
      }
      oooFin = true;
      oooFinSeq = finAt;
      ackNow = true;
    }
    if (oooFin && rcvNxt == oooFinSeq) {
      processFin(now);
      return;
    }
    if (ackNow || unackedSegs >= ACK_EVERY) {
      sendAck();
    } else if (delackAt == 0) {
      delackAt = now + DELACK;
    }
  }

  private void processFin(long now) {
    rcvNxt++;
    finReceived = true;
    oooFin = false;
    readable.signalAll();
    switch (state) {
      case ESTABLISHED -> state = TcpState.CLOSE_WAIT;
      case FIN_WAIT_1 -> {
        if (finAcked) {
          enterTimeWait(now);
        } else {
          state = TcpState.CLOSING;
        }
      }
      case FIN_WAIT_2 -> enterTimeWait(now);
      default -> {}
    }
    sendAck();
  }

  private void enterTimeWait(long now) {
    state = TcpState.TIME_WAIT;
    timeWaitAt = now + timeWait;
    rtoAt = 0;
    persistAt = 0;
    finWait2At = 0;
    delackAt = 0;
    sendBuf.clear();
    readable.signalAll();
    writable.signalAll();
  }

  /** RFC 6191: a SYN may reopen a connection in TIME-WAIT if it is clearly newer. */
  boolean reusableBy(TcpSegment syn) {
    lock.lock();
    try {
      if (state != TcpState.TIME_WAIT) {
        return false;
      }
      if (tsOk && syn.hasTimestamp) {
        return syn.tsVal - tsRecent > 0;
      }
      return seqGt(syn.seq, rcvNxt);
    } finally {
      lock.unlock();
    }
  }

  // ------------------------------------------------------------------ out-of-order data

  private boolean addOoo(int s, int e) {
    int i = 0;
    while (i < oooCount && seqLt(ooo[2 * i + 1], s)) {
      i++;
    }
    // ranges i.. may overlap or touch [s, e)
    int j = i;
    while (j < oooCount && seqLe(ooo[2 * j], e)) {
      if (seqLt(ooo[2 * j], s)) {
        s = ooo[2 * j];
      }
      if (seqGt(ooo[2 * j + 1], e)) {
        e = ooo[2 * j + 1];
      }
      j++;
    }
    int merged = j - i;
    if (merged == 0 && oooCount == MAX_OOO_RANGES) {
      return false; // too fragmented: drop it, the sender will resend
    }
    int newCount = oooCount - merged + 1;
    System.arraycopy(ooo, 2 * j, ooo, 2 * (i + 1), 2 * (oooCount - j));
    ooo[2 * i] = s;
    ooo[2 * i + 1] = e;
    oooCount = newCount;
    oooLatest = s;
    return true;
  }

  private void mergeOoo() {
    while (oooCount > 0 && seqLe(ooo[0], rcvNxt)) {
      if (seqGt(ooo[1], rcvNxt)) {
        recvBuf.commit(ooo[1] - rcvNxt);
        rcvNxt = ooo[1];
      }
      System.arraycopy(ooo, 2, ooo, 0, 2 * (oooCount - 1));
      oooCount--;
    }
  }

  // ------------------------------------------------------------------ SACK scoreboard (sender)

  private boolean updateScoreboard(TcpSegment s) {
    boolean changed = false;
    for (int b = 0; b < s.sackCount; b++) {
      int st = s.sack[2 * b];
      int en = s.sack[2 * b + 1];
      if (!seqLt(st, en) || !seqGt(en, sndUna) || seqGt(en, sndMax)) {
        continue; // old, empty or bogus (RFC 2018 / 6675 validity)
      }
      if (seqLt(st, sndUna)) {
        st = sndUna;
      }
      stats.sackBlocksIn.increment();
      changed |= insertScore(st, en);
    }
    return changed;
  }

  private boolean insertScore(int s, int e) {
    int i = 0;
    while (i < scoreCount && seqLt(scoreboard[2 * i + 1], s)) {
      i++;
    }
    int j = i;
    int ns = s;
    int ne = e;
    while (j < scoreCount && seqLe(scoreboard[2 * j], e)) {
      if (seqLt(scoreboard[2 * j], ns)) {
        ns = scoreboard[2 * j];
      }
      if (seqGt(scoreboard[2 * j + 1], ne)) {
        ne = scoreboard[2 * j + 1];
      }
      j++;
    }
    if (j - i == 1 && scoreboard[2 * i] == ns && scoreboard[2 * i + 1] == ne) {
      return false; // nothing new
    }
    if (j == i && scoreCount == MAX_SACK_SCOREBOARD) {
      return false;
    }
    System.arraycopy(scoreboard, 2 * j, scoreboard, 2 * (i + 1), 2 * (scoreCount - j));
    scoreboard[2 * i] = ns;
    scoreboard[2 * i + 1] = ne;
    scoreCount = scoreCount - (j - i) + 1;
    return true;
  }

  private void pruneScoreboard() {
    int k = 0;
    for (int i = 0; i < scoreCount; i++) {
      int s = scoreboard[2 * i];
      int e = scoreboard[2 * i + 1];
      if (seqLe(e, sndUna)) {
        continue;
      }
      scoreboard[2 * k] = seqLt(s, sndUna) ? sndUna : s;
      scoreboard[2 * k + 1] = e;
      k++;
    }
    scoreCount = k;
  }

  private int sackedBytes() {
    int n = 0;
    for (int i = 0; i < scoreCount; i++) {
      n += scoreboard[2 * i + 1] - scoreboard[2 * i];
    }
    return n;
  }

  /** Finds the first un-SACKed range at or after {@code from} below the highest SACK. */
  private boolean nextHole(int from) {
    int start = seqLt(from, sndUna) ? sndUna : from;
    for (int i = 0; i < scoreCount; i++) {
      int s = scoreboard[2 * i];
      int e = scoreboard[2 * i + 1];
      if (seqLt(start, s)) {
        holeStart = start;
        holeLen = s - start;
        return true;
      }
      if (seqLt(start, e)) {
        start = e;
      }
    }
    return false;
  }

  /** Bytes in [a, b) not covered by the scoreboard. */
  private int unsacked(int a, int b) {
    if (!seqLt(a, b)) {
      return 0;
    }
    int n = b - a;
    for (int i = 0; i < scoreCount; i++) {
      int s = seqLt(scoreboard[2 * i], a) ? a : scoreboard[2 * i];
      int e = seqGt(scoreboard[2 * i + 1], b) ? b : scoreboard[2 * i + 1];
      if (seqLt(s, e)) {
        n -= e - s;
      }
    }
    return n;
  }

  /** Estimate of bytes in flight (RFC 6675 "pipe"). */
  private int pipe() {
    if (!inRecovery) {
      return sndNxt - sndUna;
    }
    if (scoreCount > 0) {
      int high = scoreboard[2 * scoreCount - 1];
      // above the highest SACK everything is in flight; below it only what we retransmitted
      int retransmitted = unsacked(sndUna, seqLt(rtxNext, high) ? rtxNext : high);
      return (sndMax - high) + retransmitted;
    }
    return Math.max(0, sndMax - sndUna - dupAcks * mss);
  }

  // ------------------------------------------------------------------ output

  private boolean canSend() {
    return switch (state) {
      case ESTABLISHED, CLOSE_WAIT, FIN_WAIT_1, CLOSING, LAST_ACK -> true;
      default -> false;
    };
  }

  /** Sends what the windows allow: retransmissions first, then new data, then FIN. */
  private void output(long now) {
    if (!canSend()) {
      return;
    }
    if (forceRtx) {
      forceRtx = false;
      int n = Math.min(mss, sendBuf.size());
      if (n > 0) {
        n = sendData(sndUna, n, now);
        if (seqLt(rtxNext, sndUna + n)) {
          rtxNext = sndUna + n;
        }
      } else if (finSent && !finAcked) {
        sendFin(finSeq, now);
      }
    }
    for (int guard = 0; guard < 1 << 16; guard++) {
      int room = cc.cwnd() - pipe();
      if (room <= 0) {
        break;
      }
      if (inRecovery && scoreCount > 0 && nextHole(rtxNext)) {
        int n = sendData(holeStart, Math.min(mss, holeLen), now);
        rtxNext = holeStart + n;
        continue;
      }
      int offset = sndNxt - sndUna;
      int avail = sendBuf.size() - offset;
      if (avail > 0) {
        int wndRoom = sndUna + sndWnd - sndNxt;
        int n = Math.min(mss, avail);
        int limit = Math.min(room, wndRoom);
        if (limit < n) {
          if (limit <= 0 || sndNxt != sndUna) {
            break; // wait for ACKs rather than send a small segment (sender SWS avoidance)
          }
          n = limit;
        }
        sendData(sndNxt, n, now);
        continue;
      }
      if (finQueued && !finAcked && avail == 0 && sndNxt == sndUna + sendBuf.size()) {
        if (!finSent || sndNxt == finSeq) {
          sendFin(sndNxt, now);
        }
      }
      break;
    }
    boolean waiting = sendBuf.size() > sndNxt - sndUna;
    if (waiting && sndWnd == 0 && sndNxt == sndUna && rtoAt == 0) {
      if (persistAt == 0) {
        persistAt = now + persistInterval();
      }
    } else {
      persistAt = 0;
    }
  }

  private long persistInterval() {
    return Math.min(MAX_RTO, Math.max(rto, minRto) << Math.min(persistBackoff, 10));
  }

  /**
   * Sends up to {@code n} bytes at {@code seq}; returns how many went out (options may shrink it).
   */
  private int sendData(int seq, int n, long now) {
    prepare(seq, ACK);
    int room = sndMss - out.optionsLength();
    if (n > room) {
      n = room;
    }
    if (seqLt(seq, sndMax)) {
      stats.retransmits.increment();
      if (rttTiming && seqLe(seq, rttSeq)) {
        rttTiming = false; // Karn: no sample from a retransmitted segment
      }
    } else if (!rttTiming && !tsOk) {
      rttTiming = true;
      rttSeq = seq;
      rttStart = now;
    }
    if (seq + n == sndUna + sendBuf.size()) {
      out.flags |= PSH;
    }
    emit(seq - sndUna, n);
    if (seq == sndNxt) {
      sndNxt += n;
      if (seqGt(sndNxt, sndMax)) {
        sndMax = sndNxt;
      }
    }
    if (rtoAt == 0) {
      rtoAt = now + rto;
    }
    return n;
  }

  private void sendFin(int seq, long now) {
    prepare(seq, ACK | FIN);
    if (finSent) {
      stats.retransmits.increment();
    }
    emit(0, 0);
    finSent = true;
    finSeq = seq;
    if (seq == sndNxt) {
      sndNxt = seq + 1;
      if (seqGt(sndNxt, sndMax)) {
        sndMax = sndNxt;
      }
    }
    if (rtoAt == 0) {
      rtoAt = now + rto;
    }
  }

  private void sendAck() {
    prepare(sndNxt, ACK);
    emit(0, 0);
  }

  private void challengeAck() {
    long now = System.nanoTime();
    if (now - challengeWindow > TimeUnit.SECONDS.toNanos(1)) {
      challengeWindow = now;
      challengeCount = 0;
    }
    if (++challengeCount > CHALLENGE_ACKS_PER_SECOND) {
      return; // RFC 5961 7: rate-limited, per connection (a global limit leaks state)
    }
    stats.challengeAcks.increment();
    sendAck();
  }

  private void sendRst(int seq, boolean withAck, String why) {
    LOG.debug("{} in {}: sending RST ({})", this, state, why);
    stats.resetsOut.increment();
    prepare(seq, withAck ? RST | ACK : RST);
    emit(0, 0);
  }

  private void sendRstRaw(int seq, int ack, int flags, String why) {
    LOG.debug("{} in {}: sending RST ({})", this, state, why);
    stats.resetsOut.increment();
    out.reset();
    out.srcPort = local.getPort();
    out.dstPort = remote.getPort();
    out.seq = seq;
    out.ack = ack;
    out.flags = flags;
    emit(0, 0);
  }

  private void sendSyn(long now) {
    out.reset();
    out.srcPort = local.getPort();
    out.dstPort = remote.getPort();
    out.seq = iss;
    out.flags = SYN;
    out.window = Math.min(recvBuf.free(), 65535);
    out.mss = stack.settings().mtu() - (v4 ? 20 : 40) - TcpSegment.HEADER;
    out.wscale = rcvShift;
    out.sackPermitted = true;
    out.hasTimestamp = true;
    out.tsVal = stack.tsNow();
    emit(0, 0);
    if (sndNxt == iss) {
      sndNxt = iss + 1;
      sndMax = sndNxt;
      rttTiming = true;
      rttSeq = iss;
      rttStart = now;
    }
    rtoAt = now + rto;
  }

  void sendSynAck() {
    lock.lock();
    try {
      out.reset();
      out.srcPort = local.getPort();
      out.dstPort = remote.getPort();
      out.seq = iss;
      out.ack = rcvNxt;
      out.flags = SYN | ACK;
      out.window = Math.min(recvBuf.free(), 65535);
      out.mss = stack.settings().mtu() - (v4 ? 20 : 40) - TcpSegment.HEADER;
      out.wscale = wsOk ? rcvShift : -1;
      out.sackPermitted = sackOk;
      out.hasTimestamp = tsOk;
      out.tsVal = stack.tsNow();
      out.tsEcr = tsRecent;
      emit(0, 0);
      long now = System.nanoTime();
      if (sndNxt == iss) {
        sndNxt = iss + 1;
        sndMax = sndNxt;
      }
      rtoAt = now + rto;
    } finally {
      lock.unlock();
    }
  }

  /** Fills the reusable segment for a non-SYN segment with ACK, window, timestamps and SACK. */
  private void prepare(int seq, int flags) {
    out.reset();
    out.srcPort = local.getPort();
    out.dstPort = remote.getPort();
    out.seq = seq;
    out.flags = flags;
    if ((flags & ACK) != 0) {
      out.ack = rcvNxt;
    }
    int wnd = Math.min(recvBuf.free() >> rcvShift, 65535);
    out.window = wnd;
    if (tsOk) {
      out.hasTimestamp = true;
      out.tsVal = stack.tsNow();
      out.tsEcr = tsRecent;
    }
    if (sackOk && oooCount > 0 && (flags & RST) == 0) {
      int max = tsOk ? 3 : 4;
      int n = 0;
      for (int i = 0; i < oooCount && n < max; i++) {
        if (seqLe(ooo[2 * i], oooLatest) && seqGt(ooo[2 * i + 1], oooLatest)) {
          out.sack[0] = ooo[2 * i];
          out.sack[1] = ooo[2 * i + 1];
          n = 1;
          break;
        }
      }
      for (int i = 0; i < oooCount && n < max; i++) {
        if (n > 0 && out.sack[0] == ooo[2 * i]) {
          continue;
        }
        out.sack[2 * n] = ooo[2 * i];
        out.sack[2 * n + 1] = ooo[2 * i + 1];
        n++;
      }
      out.sackCount = n;
    }
    if ((flags & ACK) != 0) {
      lastAckSent = rcvNxt;
      lastAdvWnd = wnd << rcvShift;
      delackAt = 0;
      unackedSegs = 0;
    }
  }

  /** Encodes {@link #out} with {@code len} bytes from the send ring at {@code offset}; sends it. */
  private void emit(int offset, int len) {
    int hl = out.headerLength(v4);
    if (tx.length < hl + len) {
      tx = new byte[Math.max(hl + len, stack.settings().mtu() + 64)];
    }
    if (len > 0) {
      sendBuf.copyOut(offset, tx, hl, len);
    }
    int total = out.encodeInPlace(tx, 0, localIp, remoteIp, len);
    stats.segmentsOut.increment();
    stack.emit(tx, 0, total);
  }

  // ------------------------------------------------------------------ timers

  /** Called by the stack's timer about every 10 ms. */
  void tick(long now) {
    if (!lock.tryLock()) {
      return; // busy: the next tick will do
    }
    try {
      if (timeWaitAt != 0 && now - timeWaitAt >= 0) {
        timeWaitAt = 0;
        terminate(null);
        return;
      }
      if (finWait2At != 0 && now - finWait2At >= 0 && state == TcpState.FIN_WAIT_2) {
        terminate("FIN-WAIT-2 timed out");
        return;
      }
      if (rtoAt != 0 && now - rtoAt >= 0) {
        onRto(now);
      }
      if (persistAt != 0 && now - persistAt >= 0) {
        onPersist(now);
      }
      if (delackAt != 0 && now - delackAt >= 0) {
        sendAck();
      }
    } finally {
      lock.unlock();
    }
  }

  private void onRto(long now) {
    rtoAt = 0;
    switch (state) {
      case SYN_SENT -> {
        if (++retries > SYN_RETRIES) {
          terminate("connect timed out (no SYN-ACK)");
          return;
        }
        backoff();
        rttTiming = false;
        sendSyn(now);
        stats.retransmits.increment();
        return;
      }
      case SYN_RECEIVED -> {
        if (++retries > SYNACK_RETRIES) {
          terminate("handshake timed out");
          return;
        }
        backoff();
        sendSynAck();
        stats.retransmits.increment();
        return;
      }
      case CLOSED, TIME_WAIT -> {
        return;
      }
      default -> {}
    }
    if (sndMax == sndUna && !(finSent && !finAcked)) {
      return;
    }
    stats.timeouts.increment();
    // a peer that closed its window but still answers is alive: don't count towards giving up
    boolean peerAlive = sndWnd == 0 && now - lastAckIn < MAX_RTO;
    if (!peerAlive && ++retries > DATA_RETRIES) {
      sendRst(sndNxt, true, "retransmission timed out");
      terminate("retransmission timed out");
      return;
    }
    rtoUndoable = tsOk && retries == 1;
    rtoTsVal = stack.tsNow();
    cc.onTimeout(sndMax - sndUna, now);
    inRecovery = false;
    recover = sndMax;
    dupAcks = 0;
    scoreCount = 0; // RFC 6675 5.1: forget SACK information after a timeout
    sndNxt = sndUna;
    rttTiming = false;
    backoff();
    if (finSent && !finAcked && sendBuf.size() == 0) {
      sendFin(finSeq, now);
    } else {
      output(now);
    }
    rtoAt = now + rto;
  }

  private void backoff() {
    rto = Math.min(MAX_RTO, rto * 2);
  }

  private void onPersist(long now) {
    persistAt = 0;
    if (sndWnd != 0 || sendBuf.size() == 0) {
      return;
    }
    // probes go on while the peer answers (RFC 9293 3.8.6.1); a dead peer shows in the RTO
    // a segment just below the window makes the peer answer with its current window
    stats.persistProbes.increment();
    prepare(sndUna - 1, ACK);
    emit(0, 0);
    persistBackoff++;
    persistAt = now + persistInterval();
  }

  private void sampleRtt(long r) {
    if (r < 0) {
      return;
    }
    if (srtt < 0) {
      srtt = r;
      rttvar = r / 2;
    } else {
      rttvar = (3 * rttvar + Math.abs(srtt - r)) / 4;
      srtt = (7 * srtt + r) / 8;
    }
    rto = Math.min(MAX_RTO, Math.max(minRto, srtt + Math.max(CLOCK_GRANULARITY, 4 * rttvar)));
  }

  /** Ends the connection: {@code why} null for a normal close, else the error reads will throw. */
  private void terminate(String why) {
    if (state == TcpState.CLOSED) {
      return;
    }
    boolean wasHalfOpen = state == TcpState.SYN_RECEIVED;
    state = TcpState.CLOSED;
    if (why != null && error == null) {
      // in-order data already received stays readable before the error, as on Linux
      error = why;
      oooCount = 0;
    }
    if (userClosed) {
      recvBuf.clear();
    }
    sendBuf.clear();
    rtoAt = persistAt = delackAt = timeWaitAt = finWait2At = 0;
    readable.signalAll();
    writable.signalAll();
    gone = true;
    stack.tcpClosed(this, wasHalfOpen);
    if (why != null) {
      LOG.debug("{} ended: {}", this, why);
    }
  }

  boolean isHalfOpen() {
    return passive && state == TcpState.SYN_RECEIVED;
  }

  /** Drops a half-open entry (the stack's SYN-RECEIVED cap). */
  void dropHalfOpen() {
    lock.lock();
    try {
      if (state == TcpState.SYN_RECEIVED) {
        terminate("half-open entry evicted");
      }
    } finally {
      lock.unlock();
    }
  }

  /** Closes this connection as the stack shuts down. */
  void stackClosed() {
    lock.lock();
    try {
      terminate("stack closed");
    } finally {
      lock.unlock();
    }
  }

  // ------------------------------------------------------------------ streams

  private int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    lock.lock();
    try {
      long timeout = TimeUnit.MILLISECONDS.toNanos(readTimeoutMillis);
      long deadline = System.nanoTime() + timeout;
      while (true) {
        if (userClosed) {
          throw new SocketException("closed");
        }
        if (recvBuf.size() > 0) {
          int n = recvBuf.read(b, off, len);
          windowUpdate();
          return n;
        }
        if (finReceived) {
          return -1; // the peer's FIN came first: a RST after it does not undo the EOF (as Linux)
        }
        if (error != null) {
          throw new SocketException(error);
        }
        if (state == TcpState.CLOSED) {
          return -1;
        }
        try {
          if (timeout > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
              throw new SocketTimeoutException("read timed out after " + readTimeoutMillis + " ms");
            }
            readable.awaitNanos(left);
          } else {
            readable.await();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted");
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** After a read: tell the peer if the window opened a lot (Linux's rule: doubled, ≥ one MSS). */
  private void windowUpdate() {
    if (!canReceive()) {
      return;
    }
    int current = lastAckSent + lastAdvWnd - rcvNxt;
    int now = (recvBuf.free() >> rcvShift) << rcvShift;
    if (2L * current <= recvBuf.max() && now >= 2L * current && now - current >= sndMss) {
      sendAck();
    }
  }

  private boolean canReceive() {
    return switch (state) {
      case ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2 -> true;
      default -> false;
    };
  }

  private void write(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    while (len > 0) {
      lock.lock();
      try {
        while (true) {
          if (error != null) {
            throw new SocketException(error);
          }
          if (finQueued || userClosed) {
            throw new SocketException("output shut down");
          }
          if (state != TcpState.ESTABLISHED && state != TcpState.CLOSE_WAIT) {
            throw new SocketException("not connected (" + state + ")");
          }
          if (sendBuf.free() > 0) {
            break;
          }
          try {
            writable.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
          }
        }
        int n = Math.min(len, sendBuf.free());
        sendBuf.append(b, off, n);
        off += n;
        len -= n;
        output(System.nanoTime());
      } finally {
        lock.unlock();
      }
    }
  }

  private final class In extends InputStream {
    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = TcpConn.this.read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return TcpConn.this.read(b, off, len);
    }

    @Override
    public int available() {
      lock.lock();
      try {
        return recvBuf.size();
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void close() {
      TcpConn.this.close();
    }
  }

  private final class Out extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      TcpConn.this.write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      TcpConn.this.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      shutdownOutput();
    }
  }

  // ------------------------------------------------------------------ sequence arithmetic

  static boolean seqLt(int a, int b) {
    return a - b < 0;
  }

  static boolean seqLe(int a, int b) {
    return a - b <= 0;
  }

  static boolean seqGt(int a, int b) {
    return a - b > 0;
  }

  static boolean seqGe(int a, int b) {
    return a - b >= 0;
  }

  /** Whether {@code x} is in [start, start + len). */
  static boolean inWindow(int x, int start, int len) {
    return x - start >= 0 && x - start < len;
  }
}
