package dev.umbra.wireguard.device;

import static dev.umbra.wireguard.device.WireGuardTimers.INITIATION_MIN_INTERVAL;
import static dev.umbra.wireguard.device.WireGuardTimers.KEEPALIVE_TIMEOUT;
import static dev.umbra.wireguard.device.WireGuardTimers.MAX_JITTER;
import static dev.umbra.wireguard.device.WireGuardTimers.MAX_STAGED_PACKETS;
import static dev.umbra.wireguard.device.WireGuardTimers.MAX_TIMER_HANDSHAKES;
import static dev.umbra.wireguard.device.WireGuardTimers.REJECT_AFTER_TIME;
import static dev.umbra.wireguard.device.WireGuardTimers.REKEY_AFTER_MESSAGES;
import static dev.umbra.wireguard.device.WireGuardTimers.REKEY_AFTER_TIME;
import static dev.umbra.wireguard.device.WireGuardTimers.REKEY_ON_RECEIVE_AGE;
import static dev.umbra.wireguard.device.WireGuardTimers.REKEY_TIMEOUT;

import dev.umbra.crypto.X25519;
import dev.umbra.netstack.IpPackets;
import dev.umbra.wireguard.noise.CookieChecker;
import dev.umbra.wireguard.noise.InitiatorHandshake;
import dev.umbra.wireguard.noise.Messages;
import dev.umbra.wireguard.noise.ResponderHandshake;
import dev.umbra.wireguard.noise.Session;
import dev.umbra.wireguard.noise.SessionKeys;
import dev.umbra.wireguard.noise.Tai64n;
import dev.umbra.wireguard.noise.WireGuardException;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WireGuard device over one UDP socket: peers by public key, cryptokey routing by allowed IPs,
 * handshakes in both roles with cookies under load, transport with replay protection, the timer
 * state machine (rekey, keepalive, persistent keepalive, handshake retry with jitter, key expiry)
 * and endpoint roaming. Plain IP packets go in through {@link #send} and come out to a {@link
 * PacketSink}. One virtual thread receives, one runs the timers.
 */
public final class WireGuardDevice implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(WireGuardDevice.class);
  private static final long TICK_MILLIS = 50;

  private sealed interface IndexEntry permits HandshakeIndex, SessionIndex {}

  private record HandshakeIndex(Peer peer) implements IndexEntry {}

  private record SessionIndex(Peer peer, Session session) implements IndexEntry {}

  private final DeviceConfig config;
  private final Bind channel;
  private final PacketSink sink;
  private final LongSupplier clock;

  /**
   * Handshake timestamps count from the wall time at creation along the device's own clock: they
   * only ever grow (a wall clock stepped back cannot make peers reject us as a replay), and a test
   * clock moves them too.
   */
  private final Instant wallAtStart;

  private final long clockAtStart;
  private final SecureRandom random = new SecureRandom();
  private final CookieChecker cookieChecker;
  private final List<Peer> peers;
  private final Map<String, Peer> peersByKey = new ConcurrentHashMap<>();
  private final AllowedIps routes;
  private final Map<Integer, IndexEntry> indices = new ConcurrentHashMap<>();
  private final ThreadLocal<byte[]> sendBuffers =
      ThreadLocal.withInitial(() -> new byte[65536 + Messages.MIN_TRANSPORT_SIZE]);
  private final Object loadLock = new Object();
  private long loadWindowStart;
  private int loadCount;
  private long underLoadUntil;
  private boolean underLoad;
  private final java.util.concurrent.atomic.AtomicLong cookieReplies =
      new java.util.concurrent.atomic.AtomicLong();
  private volatile boolean closed;
  private Thread receiver;
  private Thread timers;

  private WireGuardDevice(DeviceConfig config, Bind channel, PacketSink sink) {
    this.config = config;
    this.channel = channel;
    this.sink = sink;
    this.clock = config.nanoClock();
    this.wallAtStart = Instant.now();
    this.clockAtStart = clock.getAsLong();
    this.cookieChecker = new CookieChecker(config.identity().publicKey(), clock, random);
    List<Peer> list = new ArrayList<>();
    for (PeerConfig pc : config.peers()) {
      Peer p = new Peer(pc, clock);
      if (peersByKey.putIfAbsent(key(pc.publicKey()), p) != null) {
        throw new IllegalArgumentException("duplicate peer public key");
      }
      if (Arrays.equals(pc.publicKey(), config.identity().publicKey())) {
        throw new IllegalArgumentException("a peer cannot have our own public key");
      }
      list.add(p);
    }
    this.peers = List.copyOf(list);
    this.routes = new AllowedIps(peers);
  }

  /** Starts a device on a bound (blocking) channel; the device owns and closes it. */
  public static WireGuardDevice start(
      DeviceConfig config, DatagramChannel channel, PacketSink sink) {
    return start(config, Bind.of(channel), sink);
  }

  /** Starts a device on any outer transport; the device owns and closes it. */
  public static WireGuardDevice start(DeviceConfig config, Bind channel, PacketSink sink) {
    WireGuardDevice d = new WireGuardDevice(config, channel, sink);
    d.receiver = Thread.ofVirtual().name("wg-receive").start(d::receiveLoop);
    d.timers = Thread.ofVirtual().name("wg-timers").start(d::timerLoop);
    return d;
  }

  /** How many cookie replies this device has sent (it was under load). */
  public long cookieRepliesSent() {
    return cookieReplies.get();
  }

  public List<Peer> peers() {
    return peers;
  }

  public Peer peer(byte[] publicKey) {
    return peersByKey.get(key(publicKey));
  }

  /** The outer socket's local address, or null when the transport has none (a detour). */
  public InetSocketAddress localAddress() throws IOException {
    return channel.localAddress();
  }

  private static String key(byte[] k) {
    return java.util.HexFormat.of().formatHex(k);
  }

  // ---------------------------------------------------------------- sending

  /**
   * Sends one IP packet to the peer whose allowed IPs hold its destination. Packets with no route
   * are dropped (returns false). Without a session the packet waits (bounded) for a handshake.
   */
  public boolean send(byte[] packet, int off, int len) throws IOException {
    int version = IpPackets.version(packet, off, len);
    if (version == 0) {
      return false;
    }
    Peer peer =
        routes.lookup(
            packet, off + IpPackets.destinationOffset(version), IpPackets.addressLength(version));
    if (peer == null) {
      LOG.debug("no peer routes the destination of an outgoing packet; dropped");
      return false;
    }
    sendTo(peer, packet, off, len);
    return true;
  }

  private void sendTo(Peer peer, byte[] packet, int off, int len) throws IOException {
    Session s;
    long now = clock.getAsLong();
    synchronized (peer) {
      s = usable(peer.current, now);
      if (s == null && len > 0) {
        if (peer.staged.size() >= MAX_STAGED_PACKETS) {
          peer.staged.removeFirst();
        }
        peer.staged.addLast(Arrays.copyOfRange(packet, off, off + len));
      }
    }
    if (s == null) {
      initiate(peer, false);
      return;
    }
    if (!sendTransport(peer, s, packet, off, len)) {
      synchronized (peer) {
        if (len > 0) {
          peer.staged.addLast(Arrays.copyOfRange(packet, off, off + len));
        }
      }
      initiate(peer, false);
      return;
    }
    if (s.isInitiator() && now - s.createdNanos() >= REKEY_AFTER_TIME
        || Long.compareUnsigned(s.sendCounter(), REKEY_AFTER_MESSAGES) >= 0) {
      initiate(peer, false);
    }
  }

  private static Session usable(Session s, long now) {
    if (s == null || now - s.createdNanos() >= REJECT_AFTER_TIME) {
      return null;
    }
    return s;
  }

  /** Encrypts and sends; false when the keypair's counter is exhausted. */
  private boolean sendTransport(Peer peer, Session s, byte[] packet, int off, int len)
      throws IOException {
    byte[] buf = sendBuffers.get();
    int mtu = config.mtu();
    int padded = len == 0 ? 0 : Math.max(len, Math.min((len + 15) & ~15, mtu));
    if (32 + padded > buf.length) {
      LOG.debug("packet of {} bytes too large for the tunnel; dropped", len);
      return true;
    }
    int n = s.seal(packet, off, len, padded, buf, 0);
    if (n < 0) {
      return false;
    }
    write(peer, buf, n);
    long now = clock.getAsLong();
    synchronized (peer) {
      if (len > 0 && peer.newHandshakeAt == 0) {
        peer.newHandshakeAt = now + KEEPALIVE_TIMEOUT + REKEY_TIMEOUT;
      }
      anyAuthenticatedSent(peer, now);
    }
    peer.txBytes += n;
    return true;
  }

  private void write(Peer peer, byte[] buf, int n) throws IOException {
    InetSocketAddress to = peer.endpoint();
    if (to == null) {
      LOG.debug("{} has no endpoint yet; packet dropped", peer);
      return;
    }
    byte[] reserved = peer.config.reserved();
    if (reserved != null) {
      System.arraycopy(reserved, 0, buf, 1, 3);
    }
    try {
      channel.send(ByteBuffer.wrap(buf, 0, n), to);
    } catch (ClosedChannelException e) {
      if (!closed) {
        throw e;
      }
    }
  }

  private void anyAuthenticatedSent(Peer peer, long now) {
    peer.keepaliveAt = 0;
    traversal(peer, now);
  }

  private static void traversal(Peer peer, long now) {
    long interval = peer.config.persistentKeepalive().toNanos();
    if (interval > 0) {
      peer.persistentAt = now + interval;
    }
  }

  /** Starts a handshake with {@code peer} unless one was sent less than REKEY_TIMEOUT ago. */
  public void initiate(Peer peer, boolean retry) throws IOException {
    byte[] msg;
    long now = clock.getAsLong();
    synchronized (peer) {
      if (!retry && peer.initiationSentEver && now - peer.lastInitiationSent < REKEY_TIMEOUT) {
        return;
      }
      if (peer.endpoint() == null) {
        return;
      }
      if (!retry) {
        peer.handshakeAttempts = 0;
      }
      if (peer.handshake != null) {
        indices.remove(peer.handshake.localIndex());
      }
      int index = newIndex(new HandshakeIndex(peer));
      try {
        peer.handshake =
            InitiatorHandshake.start(
                config.identity(),
                peer.config.publicKey(),
                peer.config.presharedKey(),
                X25519.generatePrivateKey(),
                Tai64n.of(wallAtStart.plusNanos(clock.getAsLong() - clockAtStart)),
                index);
      } catch (WireGuardException e) {
        indices.remove(index);
        peer.handshake = null;
        LOG.warn("cannot start a handshake with {}: {}", peer, e.getMessage());
        return;
      }
      msg = peer.handshake.message().encode();
      peer.cookies.addMacs(msg);
      peer.lastInitiationSent = now;
      peer.initiationSentEver = true;
      peer.retransmitAt = now + REKEY_TIMEOUT + (long) (random.nextDouble() * MAX_JITTER);
      anyAuthenticatedSent(peer, now);
    }
    LOG.debug("sending handshake initiation to {}", peer);
    write(peer, msg, msg.length);
  }

  private int newIndex(IndexEntry entry) {
    while (true) {
      int i = random.nextInt();
      if (indices.putIfAbsent(i, entry) == null) {
        return i;
      }
    }
  }

  // ---------------------------------------------------------------- receiving

  private void receiveLoop() {
    ByteBuffer buf = ByteBuffer.allocate(65536);
    byte[] plain = new byte[65536];
    while (!closed) {
      buf.clear();
      InetSocketAddress src;
      try {
        src = channel.receive(buf);
      } catch (IOException e) {
        if (!closed) {
          LOG.warn("WireGuard socket failed: {}", e.toString());
        }
        return;
      }
      if (src == null) {
        continue;
      }
      byte[] b = buf.array();
      int len = buf.position();
      if (len >= 4) {
        // sing-box's reserved bytes: peers may set them; they are not part of the message
        b[1] = 0;
        b[2] = 0;
        b[3] = 0;
      }
      try {
        handle(b, len, src, plain);
      } catch (WireGuardException e) {
        LOG.debug("dropped a packet from {}: {}", src, e.getMessage());
      } catch (IOException e) {
        if (!closed) {
          LOG.warn("WireGuard send failed: {}", e.toString());
        }
      } catch (RuntimeException e) {
        LOG.warn("dropped a packet from {} after an internal error", src, e);
      }
    }
  }

  private void handle(byte[] b, int len, InetSocketAddress src, byte[] plain) throws IOException {
    switch (Messages.typeOf(b, 0, len)) {
      case Messages.TYPE_TRANSPORT -> handleTransport(b, len, src, plain);
      case Messages.TYPE_INITIATION -> handleInitiation(b, len, src);
      case Messages.TYPE_RESPONSE -> handleResponse(b, len, src);
      case Messages.TYPE_COOKIE_REPLY -> handleCookieReply(b, len);
      default -> throw new WireGuardException("not a WireGuard message (" + len + " bytes)");
    }
  }

  /** Checks mac1, and under load mac2 (answering with a cookie reply); false means drop. */
  private boolean admitHandshake(byte[] b, int len, InetSocketAddress src, int senderIndex)
      throws IOException {
    if (!cookieChecker.checkMac1(b, 0, len)) {
      throw new WireGuardException("handshake message with a bad mac1");
    }
    if (isUnderLoad()) {
      byte[] source = sourceBytes(src);
      if (!cookieChecker.checkMac2(b, 0, len, source)) {
        byte[] reply = cookieChecker.createReply(b, 0, len, senderIndex, source).encode();
        LOG.debug("under load: cookie reply to {}", src);
        cookieReplies.incrementAndGet();
        channel.send(ByteBuffer.wrap(reply), src);
        return false;
      }
    }
    return true;
  }

  private boolean isUnderLoad() {
    long now = clock.getAsLong();
    synchronized (loadLock) {
      if (!underLoad || now - loadWindowStart >= 1_000_000_000L) {
        if (now - loadWindowStart >= 1_000_000_000L) {
          loadWindowStart = now;
          loadCount = 0;
        }
      }
      loadCount++;
      if (loadCount > config.handshakesPerSecondUnderLoad()) {
        underLoad = true;
        underLoadUntil = now + 1_000_000_000L;
      }
      if (underLoad && now >= underLoadUntil) {
        underLoad = false;
      }
      return underLoad;
    }
  }

  private static byte[] sourceBytes(InetSocketAddress src) {
    byte[] a = src.getAddress().getAddress();
    byte[] out = Arrays.copyOf(a, a.length + 2);
    out[a.length] = (byte) src.getPort();
    out[a.length + 1] = (byte) (src.getPort() >>> 8);
    return out;
  }

  private void handleInitiation(byte[] b, int len, InetSocketAddress src) throws IOException {
    Messages.Initiation m = Messages.Initiation.decode(b, 0, len);
    if (!admitHandshake(b, len, src, m.sender())) {
      return;
    }
    ResponderHandshake hs = ResponderHandshake.consume(config.identity(), m);
    Peer peer = peersByKey.get(key(hs.peerStatic()));
    if (peer == null) {
      throw new WireGuardException("initiation from an unknown public key");
    }
    long now = clock.getAsLong();
    byte[] msg;
    synchronized (peer) {
      if (peer.lastTimestamp != null && !Tai64n.after(hs.timestamp(), peer.lastTimestamp)) {
        throw new WireGuardException("replayed handshake initiation from " + peer);
      }
      if (peer.initiationConsumedEver
          && now - peer.lastInitiationConsumed < INITIATION_MIN_INTERVAL) {
        throw new WireGuardException("handshake initiation flood from " + peer);
      }
      peer.lastTimestamp = hs.timestamp();
      peer.lastInitiationConsumed = now;
      peer.initiationConsumedEver = true;
      int index = newIndex(new HandshakeIndex(peer));
      ResponderHandshake.Result r =
          hs.respond(peer.config.presharedKey(), X25519.generatePrivateKey(), index);
      Session s = new Session(r.keys(), now);
      indices.put(index, new SessionIndex(peer, s));
      retire(peer.next);
      retire(peer.previous);
      peer.previous = null;
      peer.next = s;
      peer.zeroKeysAt = now + 3 * REJECT_AFTER_TIME;
      peer.roam(src);
      msg = r.message().encode();
      peer.cookies.addMacs(msg);
      peer.newHandshakeAt = 0;
      traversal(peer, now);
      anyAuthenticatedSent(peer, now);
    }
    LOG.debug("answered a handshake initiation from {} at {}", peer, src);
    write(peer, msg, msg.length);
  }

  private void handleResponse(byte[] b, int len, InetSocketAddress src) throws IOException {
    Messages.Response m = Messages.Response.decode(b, 0, len);
    if (!admitHandshake(b, len, src, m.sender())) {
      return;
    }
    if (!(indices.get(m.receiver()) instanceof HandshakeIndex(Peer peer))) {
      throw new WireGuardException("response for an unknown handshake");
    }
    long now = clock.getAsLong();
    synchronized (peer) {
      InitiatorHandshake hs = peer.handshake;
      if (hs == null || hs.localIndex() != m.receiver()) {
        throw new WireGuardException("response for a stale handshake");
      }
      SessionKeys keys = hs.finish(m);
      peer.handshake = null;
      Session s = new Session(keys, now);
      indices.put(keys.localIndex(), new SessionIndex(peer, s));
      if (peer.next != null) {
        retire(peer.previous);
        peer.previous = peer.next;
        peer.next = null;
      } else {
        retire(peer.previous);
        peer.previous = peer.current;
      }
      peer.current = s;
      peer.retransmitAt = 0;
      peer.handshakeAttempts = 0;
      peer.zeroKeysAt = now + 3 * REJECT_AFTER_TIME;
      peer.handshakeComplete(now);
      peer.roam(src);
      peer.newHandshakeAt = 0;
      traversal(peer, now);
    }
    LOG.debug("handshake with {} complete (initiator)", peer);
    if (!flushStaged(peer)) {
      sendTo(peer, new byte[0], 0, 0);
    }
  }

  private void handleCookieReply(byte[] b, int len) throws IOException {
    Messages.CookieReply m = Messages.CookieReply.decode(b, 0, len);
    IndexEntry e = indices.get(m.receiver());
    Peer peer =
        switch (e) {
          case HandshakeIndex h -> h.peer();
          case SessionIndex s -> s.peer();
          case null -> throw new WireGuardException("cookie reply for an unknown index");
        };
    if (!peer.cookies.consumeReply(m)) {
      throw new WireGuardException("cookie reply that does not authenticate");
    }
    LOG.debug("got a cookie from {}; the next handshake carries mac2", peer);
  }

  private void handleTransport(byte[] b, int len, InetSocketAddress src, byte[] plain)
      throws IOException {
    if (!(indices.get(Messages.receiverIndex(b, 0))
        instanceof SessionIndex(Peer peer, Session s))) {
      throw new WireGuardException("transport packet for an unknown index");
    }
    long now = clock.getAsLong();
    if (now - s.createdNanos() >= REJECT_AFTER_TIME) {
      throw new WireGuardException("transport packet on an expired keypair");
    }
    int n = s.open(b, 0, len, plain, 0);
    boolean confirmed = false;
    boolean rekey = false;
    synchronized (peer) {
      if (s == peer.next) {
        retire(peer.previous);
        peer.previous = peer.current;
        peer.current = s;
        peer.next = null;
        peer.handshakeComplete(now);
        confirmed = true;
      }
      peer.roam(src);
      peer.newHandshakeAt = 0;
      traversal(peer, now);
      if (n > 0) {
        if (peer.keepaliveAt == 0) {
          peer.keepaliveAt = now + KEEPALIVE_TIMEOUT;
        } else {
          peer.needAnotherKeepalive = true;
        }
      }
      Session cur = peer.current;
      if (cur != null
          && cur.isInitiator()
          && now - cur.createdNanos() >= REKEY_ON_RECEIVE_AGE
          && peer.handshake == null) {
        rekey = true;
      }
    }
    peer.rxBytes += len;
    if (confirmed) {
      LOG.debug("handshake with {} complete (responder)", peer);
      flushStaged(peer);
    }
    if (rekey) {
      initiate(peer, false);
    }
    if (n == 0) {
      return; // keepalive
    }
    int version = IpPackets.version(plain, 0, n);
    int ipLen = IpPackets.packetLength(plain, 0, n);
    if (version == 0 || ipLen < 0) {
      throw new WireGuardException("transport payload from " + peer + " is not an IP packet");
    }
    if (!peer.allows(plain, IpPackets.sourceOffset(version), IpPackets.addressLength(version))) {
      throw new WireGuardException("packet from " + peer + " with a source outside allowed_ips");
    }
    sink.deliver(plain, 0, ipLen);
  }

  private boolean flushStaged(Peer peer) throws IOException {
    List<byte[]> out;
    synchronized (peer) {
      out = new ArrayList<>(peer.staged);
      peer.staged.clear();
    }
    for (byte[] p : out) {
      sendTo(peer, p, 0, p.length);
    }
    return !out.isEmpty();
  }

  private void retire(Session s) {
    if (s != null) {
      indices.remove(s.localIndex(), indices.get(s.localIndex()));
    }
  }

  // ---------------------------------------------------------------- timers

  private void timerLoop() {
    while (!closed) {
      try {
        Thread.sleep(TICK_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
      for (Peer p : peers) {
        try {
          tick(p, clock.getAsLong());
        } catch (IOException e) {
          if (!closed) {
            LOG.debug("timer action for {} failed: {}", p, e.toString());
          }
        }
      }
    }
  }

  private static boolean due(long deadline, long now) {
    return deadline != 0 && now - deadline >= 0;
  }

  /** Runs the timers of one peer that are due at {@code now}. */
  void tick(Peer peer, long now) throws IOException {
    boolean retransmit = false;
    boolean keepalive = false;
    boolean newHandshake = false;
    synchronized (peer) {
      if (due(peer.retransmitAt, now)) {
        peer.retransmitAt = 0;
        if (peer.handshakeAttempts >= MAX_TIMER_HANDSHAKES) {
          LOG.debug("{}: no handshake after {} attempts; giving up", peer, peer.handshakeAttempts);
          peer.staged.clear();
          if (peer.handshake != null) {
            indices.remove(peer.handshake.localIndex());
            peer.handshake = null;
          }
          if (peer.zeroKeysAt == 0) {
            peer.zeroKeysAt = now + 3 * REJECT_AFTER_TIME;
          }
        } else {
          peer.handshakeAttempts++;
          retransmit = true;
        }
      }
      if (due(peer.keepaliveAt, now)) {
        peer.keepaliveAt = 0;
        keepalive = true;
        if (peer.needAnotherKeepalive) {
          peer.needAnotherKeepalive = false;
          peer.keepaliveAt = now + KEEPALIVE_TIMEOUT;
        }
      }
      if (due(peer.persistentAt, now)) {
        peer.persistentAt = 0;
        keepalive = true;
      }
      if (due(peer.newHandshakeAt, now)) {
        peer.newHandshakeAt = 0;
        newHandshake = true;
      }
      if (due(peer.zeroKeysAt, now)) {
        peer.zeroKeysAt = 0;
        retire(peer.previous);
        retire(peer.current);
        retire(peer.next);
        peer.previous = peer.current = peer.next = null;
        if (peer.handshake != null) {
          indices.remove(peer.handshake.localIndex());
          peer.handshake = null;
        }
        LOG.debug("{}: key material expired", peer);
      }
    }
    if (retransmit) {
      LOG.debug("{}: handshake retry {}", peer, peer.handshakeAttempts);
      initiate(peer, true);
    }
    if (newHandshake) {
      initiate(peer, false);
    }
    if (keepalive) {
      sendTo(peer, new byte[0], 0, 0);
    }
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    channel.close();
    if (timers != null) {
      timers.interrupt();
    }
    try {
      if (receiver != null) {
        receiver.join(java.time.Duration.ofSeconds(5));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
