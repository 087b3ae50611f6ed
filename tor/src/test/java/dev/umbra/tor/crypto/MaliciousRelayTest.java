package dev.umbra.tor.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.net.Conn;
import dev.umbra.tor.cell.Cell;
import dev.umbra.tor.cell.CellCodec;
import dev.umbra.tor.cell.Create2;
import dev.umbra.tor.cell.Netinfo;
import dev.umbra.tor.cell.RelayCell;
import dev.umbra.tor.cell.Versions;
import dev.umbra.tor.channel.Channel;
import dev.umbra.tor.channel.RelayTarget;
import dev.umbra.tor.circuit.Circuit;
import dev.umbra.tor.circuit.HopSpec;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small malicious relay written here (in this package for the relay-side ntor-v3 and tor1
 * models): a Java TLS server with real relay identities (RSA-1024 from keytool, Ed25519
 * certificates made here, RSA→Ed25519 cross-certificate) that speaks link protocol 5, answers
 * CREATE2 (ntor-v3) and serves an echo stream on well-behaved circuits, but on circuits whose
 * stream asks for "evil" sends malformed and out-of-order cells. The client must fail only that
 * circuit, with a logged reason, while the other circuit on the same channel keeps streaming.
 */
class MaliciousRelayTest {
  @TempDir static Path dir;
  static SSLServerSocket server;
  static byte[] rsaId;
  static byte[] edId;
  static byte[] onionSecret = new byte[32];
  static byte[] onionPublic = new byte[32];

  @BeforeAll
  static void start() throws Exception {
    Path ks = dir.resolve("relay.p12");
    keytool(ks, "id", "1024");
    keytool(ks, "link", "2048");
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = new FileInputStream(ks.toFile())) {
      store.load(in, "secret".toCharArray());
    }
    X509Certificate idCert = (X509Certificate) store.getCertificate("id");
    PrivateKey idKey = (PrivateKey) store.getKey("id", "secret".toCharArray());
    X509Certificate linkCert = (X509Certificate) store.getCertificate("link");
    store.deleteEntry("id"); // TLS presents only the link certificate
    KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
    kmf.init(store, "secret".toCharArray());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, new SecureRandom());
    server =
        (SSLServerSocket)
            ctx.getServerSocketFactory().createServerSocket(0, 5, InetAddress.getLoopbackAddress());

    KeyPairGenerator ed = KeyPairGenerator.getInstance("Ed25519");
    KeyPair identity = ed.generateKeyPair();
    KeyPair signing = ed.generateKeyPair();
    edId = raw(identity);
    rsaId = Rsa.identity(idCert.getPublicKey());
    new SecureRandom().nextBytes(onionSecret);
    X25519.scalarMultBase(onionSecret, 0, onionPublic, 0);
    long expHours = Instant.now().plus(Duration.ofDays(2)).getEpochSecond() / 3600;
    byte[] idToSigning = torCert(4, 1, raw(signing), expHours, edId, identity.getPrivate());
    byte[] signingToLink =
        torCert(
            5,
            3,
            MessageDigest.getInstance("SHA-256").digest(linkCert.getEncoded()),
            expHours,
            null,
            signing.getPrivate());
    byte[] crossSigned =
        concat(
            "Tor TLS RSA/Ed25519 cross-certificate".getBytes(StandardCharsets.US_ASCII),
            edId,
            ByteBuffer.allocate(4).putInt((int) expHours).array());
    Cipher rsa = Cipher.getInstance("RSA/ECB/PKCS1Padding");
    rsa.init(Cipher.ENCRYPT_MODE, idKey); // raw PKCS#1 v1.5 signature over the digest
    byte[] sig = rsa.doFinal(MessageDigest.getInstance("SHA-256").digest(crossSigned));
    byte[] cross =
        concat(
            edId,
            ByteBuffer.allocate(4).putInt((int) expHours).array(),
            new byte[] {(byte) sig.length},
            sig);
    ByteArrayOutputStream certs = new ByteArrayOutputStream();
    certs.write(4);
    for (Object[] c :
        List.of(
            new Object[] {2, idCert.getEncoded()},
            new Object[] {4, idToSigning},
            new Object[] {5, signingToLink},
            new Object[] {7, cross})) {
      byte[] body = (byte[]) c[1];
      certs.write((Integer) c[0]);
      certs.write(body.length >>> 8);
      certs.write(body.length);
      certs.write(body);
    }
    byte[] certsBody = certs.toByteArray();
    Thread.ofVirtual().start(() -> acceptLoop(certsBody));
  }

  @AfterAll
  static void stop() throws IOException {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void onlyTheCircuitThroughTheMisbehaviourFails() throws Exception {
    RelayTarget target =
        new RelayTarget(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()),
            rsaId,
            edId);
    HopSpec hop = new HopSpec(target, onionPublic, true);
    try (Channel ch = Channel.open(target, Duration.ofSeconds(20));
        Circuit good = Circuit.create(ch, hop, Duration.ofSeconds(20));
        Conn echo = good.openStream("echo", 7, Duration.ofSeconds(20))) {
      echo.setReadTimeout(20_000);
      assertThat(roundTrip(echo, "before")).isEqualTo("before");
      Map<String, String> misbehaviours =
          Map.of(
              "evil-unknown-stream", "for unknown stream", // DATA for a stream never opened
              "evil-data-first", "DATA before CONNECTED", // out of order
              "evil-garbage", "not recognized by any hop", // a cell no hop can decrypt
              "evil-sendme", "unexpected circuit SENDME"); // a SENDME for data never sent
      for (Map.Entry<String, String> m : misbehaviours.entrySet()) {
        try (Circuit evil = Circuit.create(ch, hop, Duration.ofSeconds(20))) {
          assertThatThrownBy(
                  () -> {
                    try (Conn bad = evil.openStream(m.getKey(), 7, Duration.ofSeconds(20))) {
                      bad.setReadTimeout(20_000);
                      bad.in().read();
                    }
                  })
              .as(m.getKey())
              .isInstanceOf(IOException.class)
              .hasMessageContaining(m.getValue());
          assertThat(evil.isOpen()).isFalse();
        }
        // only that circuit failed: the channel and the other circuit's stream carry on
        assertThat(ch.isOpen()).isTrue();
        assertThat(good.isOpen()).isTrue();
        assertThat(roundTrip(echo, m.getKey())).isEqualTo(m.getKey());
      }
    }
  }

  private static String roundTrip(Conn c, String text) throws IOException {
    byte[] b = text.getBytes(StandardCharsets.US_ASCII);
    c.out().write(b);
    c.out().flush();
    byte[] got = c.in().readNBytes(b.length);
    return new String(got, StandardCharsets.US_ASCII);
  }

  // ---- the relay ----

  private static void acceptLoop(byte[] certsBody) {
    while (!server.isClosed()) {
      try {
        SSLSocket s = (SSLSocket) server.accept();
        Thread.ofVirtual().start(() -> serve(s, certsBody));
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void serve(SSLSocket s, byte[] certsBody) {
    try (s) {
      s.setSoTimeout(60_000);
      DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
      OutputStream out = s.getOutputStream();
      Versions.decode(CellCodec.initial().read(in));
      out.write(CellCodec.initial().encode(Versions.encode(5)));
      CellCodec codec = new CellCodec(5);
      out.write(codec.encode(new Cell(0, Cell.CERTS, certsBody)));
      out.write(
          codec.encode(
              new Netinfo(
                      Instant.now().getEpochSecond(),
                      s.getInetAddress(),
                      List.of(s.getLocalAddress()))
                  .encode()));
      out.flush();
      Map<Integer, HopCryptoTest.RelaySide> circuits = new java.util.HashMap<>();
      while (true) {
        Cell c = codec.read(in);
        switch (c.command()) {
          case Cell.NETINFO, Cell.PADDING, Cell.VPADDING, Cell.PADDING_NEGOTIATE -> {}
          case Cell.CREATE2 -> {
            ByteBuffer bb = ByteBuffer.wrap(c.payload());
            int htype = bb.getShort() & 0xFFFF;
            byte[] skin = new byte[bb.getShort() & 0xFFFF];
            bb.get(skin);
            assertThat(htype).isEqualTo(Create2.HTYPE_NTOR_V3);
            byte[] y = new byte[32];
            new SecureRandom().nextBytes(y);
            byte[] replyAndKeys =
                NtorV3.serverReply(
                    edId,
                    onionSecret,
                    y,
                    skin,
                    NtorV3.CIRCUIT_VERIFICATION,
                    new byte[0],
                    HopCrypto.KEY_LEN);
            byte[] reply = Arrays.copyOf(replyAndKeys, replyAndKeys.length - HopCrypto.KEY_LEN);
            byte[] keys = Arrays.copyOfRange(replyAndKeys, reply.length, replyAndKeys.length);
            circuits.put(c.circId(), new HopCryptoTest.RelaySide(keys));
            byte[] body =
                concat(new byte[] {(byte) (reply.length >>> 8), (byte) reply.length}, reply);
            out.write(codec.encode(Cell.fixed(c.circId(), Cell.CREATED2, body)));
            out.flush();
          }
          case Cell.RELAY, Cell.RELAY_EARLY -> {
            HopCryptoTest.RelaySide hop = circuits.get(c.circId());
            RelayCell rc = RelayCell.decode(hop.receive(c.payload()));
            switch (rc.command()) {
              case RelayCell.BEGIN -> {
                String host = new String(rc.data(), StandardCharsets.US_ASCII);
                int sid = rc.streamId();
                if (host.startsWith("evil-data-first:")) {
                  send(
                      out,
                      codec,
                      c.circId(),
                      hop,
                      new RelayCell(RelayCell.DATA, sid, new byte[] {1}));
                } else if (host.startsWith("evil-garbage:")) {
                  byte[] junk = new byte[Cell.PAYLOAD_LEN];
                  new SecureRandom().nextBytes(junk);
                  // random bytes under no hop's keys: nothing recognizes them
                  synchronized (out) {
                    out.write(codec.encode(new Cell(c.circId(), Cell.RELAY, junk)));
                    out.flush();
                  }
                } else if (host.startsWith("evil-sendme:")) {
                  send(
                      out, codec, c.circId(), hop, new RelayCell(RelayCell.SENDME, 0, new byte[0]));
                }
                send(
                    out,
                    codec,
                    c.circId(),
                    hop,
                    new RelayCell(RelayCell.CONNECTED, rc.streamId(), new byte[0]));
                if (host.startsWith("evil-unknown-stream:")) {
                  // out of order and malformed: DATA for a stream that was never opened
                  send(
                      out,
                      codec,
                      c.circId(),
                      hop,
                      new RelayCell(RelayCell.DATA, rc.streamId() ^ 0x5A5A, new byte[] {1, 2, 3}));
                }
              }
              case RelayCell.DATA ->
                  send(
                      out,
                      codec,
                      c.circId(),
                      hop,
                      new RelayCell(RelayCell.DATA, rc.streamId(), rc.data()));
              default -> {}
            }
          }
          case Cell.DESTROY -> circuits.remove(c.circId());
          default -> {}
        }
      }
    } catch (Exception e) {
      // the client hung up
    }
  }

  private static void send(
      OutputStream out, CellCodec codec, int circId, HopCryptoTest.RelaySide hop, RelayCell rc)
      throws Exception {
    synchronized (out) {
      out.write(codec.encode(new Cell(circId, Cell.RELAY, hop.send(rc.encode()))));
      out.flush();
    }
  }

  // ---- certificates ----

  private static void keytool(Path ks, String alias, String bits) throws Exception {
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                alias,
                "-keyalg",
                "RSA",
                "-keysize",
                bits,
                "-sigalg",
                "SHA256withRSA",
                "-dname",
                "CN=" + alias,
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                ks.toString(),
                "-storepass",
                "secret",
                "-keypass",
                "secret")
            .redirectErrorStream(true)
            .start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(log).isZero();
  }

  /**
   * A cert-spec certificate: version 1, type, expiry hours, key type, key, extensions, signature.
   */
  private static byte[] torCert(
      int type, int keyType, byte[] key, long expHours, byte[] signedWith, PrivateKey signer)
      throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(1);
    b.write(type);
    b.write(ByteBuffer.allocate(4).putInt((int) expHours).array());
    b.write(keyType);
    b.write(key);
    if (signedWith == null) {
      b.write(0);
    } else {
      b.write(1);
      b.write(new byte[] {0, 32, 4, 0});
      b.write(signedWith);
    }
    Signature s = Signature.getInstance("Ed25519");
    s.initSign(signer);
    s.update(b.toByteArray());
    b.write(s.sign());
    return b.toByteArray();
  }

  private static byte[] raw(KeyPair kp) {
    byte[] enc = kp.getPublic().getEncoded();
    return Arrays.copyOfRange(enc, enc.length - 32, enc.length);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      b.writeBytes(p);
    }
    return b.toByteArray();
  }
}
