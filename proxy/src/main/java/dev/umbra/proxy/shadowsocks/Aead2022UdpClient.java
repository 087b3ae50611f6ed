package dev.umbra.proxy.shadowsocks;

import dev.umbra.core.net.Destination;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SIP022 UDP client: one random session id and a packet counter per association; replies are
 * checked for type, timestamp, our session id and, per server session, a packet-id window.
 */
final class Aead2022UdpClient implements UdpClientCodec {
  /** Server sessions tracked at once (a server restart or NAT change starts a new one). */
  private static final int SERVER_SESSIONS = 4;

  private final Method.Aead2022 method;
  private final List<byte[]> psks;
  private final byte[] userPsk;
  private final boolean chacha;
  private final long sessionId = Ss2022.randomLong();
  private long packetId;
  private final AeadCipher send;
  private final AeadCipher xchachaReceive;
  private final Map<Long, Server> servers =
      new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Server> e) {
          return size() > SERVER_SESSIONS;
        }
      };

  private record Server(AeadCipher receive, PacketWindow window) {}

  Aead2022UdpClient(Method.Aead2022 method, List<byte[]> psks) {
    this.method = method;
    this.psks = psks;
    this.userPsk = psks.getLast();
    this.chacha = method.kind() == CipherKind.CHACHA20_POLY1305;
    if (chacha) {
      this.send = new AeadCipher(CipherKind.XCHACHA20_POLY1305, userPsk);
      this.xchachaReceive = new AeadCipher(CipherKind.XCHACHA20_POLY1305, userPsk);
    } else {
      this.send =
          new AeadCipher(
              method.kind(), Kdf.sessionSubkey2022(userPsk, Aead2022UdpServer.idBytes(sessionId)));
      this.xchachaReceive = null;
    }
  }

  @Override
  public synchronized byte[] seal(Destination to, ByteBuffer payload) {
    byte[] body = Aead2022Udp.body(Ss2022.TYPE_CLIENT, 0, to, payload);
    long id = packetId++;
    if (chacha) {
      return Aead2022Udp.sealChacha(send, sessionId, id, body);
    }
    byte[] sep = Aead2022Udp.separateHeader(sessionId, id);
    byte[][] eih = new byte[psks.size() - 1][];
    for (int i = 0; i + 1 < psks.size(); i++) {
      eih[i] = Aead2022Udp.identityHeader(psks.get(i), psks.get(i + 1), sep);
    }
    return Aead2022Udp.sealAes(psks.getFirst(), eih, send, sessionId, id, body);
  }

  @Override
  public Destination open(byte[] packet, int len, ByteBuffer into) throws ShadowsocksException {
    Aead2022Udp.Message m;
    Server server;
    synchronized (servers) {
      if (chacha) {
        ByteBuffer plain = Aead2022Udp.openChacha(xchachaReceive, packet, len);
        long sid = plain.getLong();
        long pid = plain.getLong();
        server = servers.get(sid);
        if (server == null) {
          server = new Server(null, new PacketWindow());
        }
        m = Aead2022Udp.parseBody(sid, pid, plain, Ss2022.TYPE_SERVER);
      } else {
        if (len < Aead2022Udp.SEPARATE_HEADER + AeadCipher.TAG_SIZE) {
          throw new ShadowsocksException("packet too short");
        }
        byte[] sep = Ss2022.aesBlock(userPsk, packet, false);
        long sid = Ss2022.getLong(sep, 0);
        long pid = Ss2022.getLong(sep, 8);
        server = servers.get(sid);
        if (server == null) {
          server =
              new Server(
                  new AeadCipher(
                      method.kind(),
                      Kdf.sessionSubkey2022(userPsk, Aead2022UdpServer.idBytes(sid))),
                  new PacketWindow());
        }
        ByteBuffer body =
            Aead2022Udp.openAesBody(
                server.receive(), sep, packet, Aead2022Udp.SEPARATE_HEADER, len);
        m = Aead2022Udp.parseBody(sid, pid, body, Ss2022.TYPE_SERVER);
      }
      if (m.clientSessionId() != sessionId) {
        throw new ShadowsocksException("reply for another session");
      }
      if (!server.window().accept(m.packetId())) {
        throw new ShadowsocksException("replayed or stale packet id");
      }
      servers.putIfAbsent(m.sessionId(), server);
    }
    ByteBuffer p = m.payload();
    int n = Math.min(p.remaining(), into.remaining());
    into.put(p.array(), p.arrayOffset() + p.position(), n);
    return m.address();
  }
}
