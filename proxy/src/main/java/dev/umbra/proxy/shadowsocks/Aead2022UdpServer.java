package dev.umbra.proxy.shadowsocks;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * SIP022 UDP server: sessions keyed by client session id, each with its user, cached ciphers, a
 * packet-id window, and its own server session id for replies. The table is bounded.
 */
final class Aead2022UdpServer implements UdpServerCodec {
  static final int MAX_SESSIONS = 4096;
  static final long SESSION_IDLE_NANOS = 10 * 60 * 1_000_000_000L;

  private final Method.Aead2022 method;
  private final Ss2022Keys keys;
  private final boolean chacha;
  private final AeadCipher xchacha;
  private final Map<Long, State> sessions = new ConcurrentHashMap<>();

  Aead2022UdpServer(Method.Aead2022 method, Ss2022Keys keys) {
    this.method = method;
    this.keys = keys;
    this.chacha = method.kind() == CipherKind.CHACHA20_POLY1305;
    this.xchacha = chacha ? new AeadCipher(CipherKind.XCHACHA20_POLY1305, keys.psk()) : null;
  }

  /** One client session. */
  private final class State implements Replier {
    final long clientSessionId;
    final String user;
    final byte[] psk;
    final AeadCipher receive;
    final PacketWindow window = new PacketWindow();
    final long serverSessionId = Ss2022.randomLong();
    final AtomicLong serverPacketId = new AtomicLong();
    final AeadCipher send;
    volatile long lastSeen = System.nanoTime();

    State(long clientSessionId, String user, byte[] psk) {
      this.clientSessionId = clientSessionId;
      this.user = user;
      this.psk = psk;
      if (chacha) {
        this.receive = null;
        this.send = new AeadCipher(CipherKind.XCHACHA20_POLY1305, psk);
      } else {
        this.receive =
            new AeadCipher(method.kind(), Kdf.sessionSubkey2022(psk, idBytes(clientSessionId)));
        this.send =
            new AeadCipher(method.kind(), Kdf.sessionSubkey2022(psk, idBytes(serverSessionId)));
      }
    }

    @Override
    public byte[] seal(dev.umbra.core.net.Destination source, ByteBuffer payload) {
      byte[] body = Aead2022Udp.body(Ss2022.TYPE_SERVER, clientSessionId, source, payload);
      long id = serverPacketId.getAndIncrement();
      synchronized (send) {
        if (chacha) {
          return Aead2022Udp.sealChacha(send, serverSessionId, id, body);
        }
        return Aead2022Udp.sealAes(psk, new byte[0][], send, serverSessionId, id, body);
      }
    }
  }

  static byte[] idBytes(long id) {
    byte[] b = new byte[8];
    Ss2022.putLong(b, 0, id);
    return b;
  }

  @Override
  public Incoming open(byte[] packet, int len) throws ShadowsocksException {
    Aead2022Udp.Message m;
    State s;
    if (chacha) {
      ByteBuffer plain;
      synchronized (xchacha) {
        plain = Aead2022Udp.openChacha(xchacha, packet, len);
      }
      long sid = plain.getLong();
      long pid = plain.getLong();
      s = state(sid, null, keys.psk());
      m = Aead2022Udp.parseBody(sid, pid, plain, Ss2022.TYPE_CLIENT);
    } else {
      if (len < Aead2022Udp.SEPARATE_HEADER + AeadCipher.TAG_SIZE) {
        throw new ShadowsocksException("packet too short");
      }
      byte[] sep = Ss2022.aesBlock(keys.psk(), packet, false);
      long sid = Ss2022.getLong(sep, 0);
      long pid = Ss2022.getLong(sep, 8);
      int off = Aead2022Udp.SEPARATE_HEADER;
      String user = null;
      byte[] psk = keys.psk();
      if (keys.multiUser()) {
        if (len < off + 16 + AeadCipher.TAG_SIZE) {
          throw new ShadowsocksException("packet too short");
        }
        byte[] hash =
            Aead2022Udp.openIdentityHeader(
                keys.psk(), java.util.Arrays.copyOfRange(packet, off, off + 16), sep);
        Ss2022Keys.User u = keys.user(hash);
        if (u == null) {
          throw new ShadowsocksException("unknown identity");
        }
        user = u.name();
        psk = u.psk();
        off += 16;
      }
      s = state(sid, user, psk);
      ByteBuffer body;
      synchronized (s.receive) {
        body = Aead2022Udp.openAesBody(s.receive, sep, packet, off, len);
      }
      m = Aead2022Udp.parseBody(sid, pid, body, Ss2022.TYPE_CLIENT);
    }
    if (!s.window.accept(m.packetId())) {
      throw new ShadowsocksException("replayed or stale packet id");
    }
    s.lastSeen = System.nanoTime();
    sessions.putIfAbsent(m.sessionId(), s);
    return new Incoming(m.sessionId(), s.user, m.address(), m.payload(), s);
  }

  /** The session for {@code sid}; a new one is only stored once a packet authenticated. */
  private State state(long sid, String user, byte[] psk) throws ShadowsocksException {
    State s = sessions.get(sid);
    if (s != null) {
      if (!java.security.MessageDigest.isEqual(s.psk, psk)) {
        throw new ShadowsocksException("session id used by another user");
      }
      return s;
    }
    if (sessions.size() >= MAX_SESSIONS) {
      long now = System.nanoTime();
      sessions.values().removeIf(x -> now - x.lastSeen > SESSION_IDLE_NANOS);
      if (sessions.size() >= MAX_SESSIONS) {
        throw new ShadowsocksException("too many udp sessions");
      }
    }
    return new State(sid, user, psk);
  }
}
