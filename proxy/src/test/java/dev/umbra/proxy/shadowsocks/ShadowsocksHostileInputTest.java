package dev.umbra.proxy.shadowsocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.net.Destination;
import dev.umbra.testkit.Curl;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Active probes against the inbound: random bytes of many lengths, a valid salt with a bad tag, a
 * replayed first packet. Each must look the same from outside as any failed decryption (like
 * ss-server: no reply, the connection held open while the prober waits, closed only after the
 * prober's own FIN or the handshake deadline), and a good client running alongside is never
 * disturbed.
 */
@Tag("interop")
class ShadowsocksHostileInputTest {
  static final String PASSWORD = "hostile-test-password";
  static final String PSK = "QITrD68fpZ3UaRJvvduh3A==";
  static final SecureRandom RANDOM = new SecureRandom();
  static HttpOrigin origin;
  static Umbras server;
  static Umbras clients;
  static int aeadPort;
  static int ss2022Port;
  static int aeadSocks;
  static int ss2022Socks;

  @BeforeAll
  static void start() throws Exception {
    origin = new HttpOrigin();
    aeadPort = FreePort.tcp();
    ss2022Port = FreePort.tcp();
    server =
        Umbras.start(
            """
            {"log": {"level": "warn"},
             "inbounds": [
               {"type": "shadowsocks", "tag": "aead", "listen": "127.0.0.1", "listen_port": %d,
                "network": "tcp", "method": "aes-256-gcm", "password": "%s"},
               {"type": "shadowsocks", "tag": "ss2022", "listen": "127.0.0.1", "listen_port": %d,
                "network": "tcp", "method": "2022-blake3-aes-128-gcm", "password": "%s"}],
             "outbounds": [{"type": "direct", "tag": "direct"}]}
            """
                .formatted(aeadPort, PASSWORD, ss2022Port, PSK));
    aeadSocks = FreePort.tcp();
    ss2022Socks = FreePort.tcp();
    clients =
        Umbras.start(
            """
            {"log": {"level": "warn"},
             "inbounds": [
               {"type": "mixed", "tag": "a", "listen": "127.0.0.1", "listen_port": %d},
               {"type": "mixed", "tag": "b", "listen": "127.0.0.1", "listen_port": %d}],
             "outbounds": [
               {"type": "shadowsocks", "tag": "ss-a", "server": "127.0.0.1", "server_port": %d,
                "method": "aes-256-gcm", "password": "%s"},
               {"type": "shadowsocks", "tag": "ss-b", "server": "127.0.0.1", "server_port": %d,
                "method": "2022-blake3-aes-128-gcm", "password": "%s"}],
             "route": {"rules": [{"inbound": ["b"], "outbound": "ss-b"}]}}
            """
                .formatted(aeadSocks, ss2022Socks, aeadPort, PASSWORD, ss2022Port, PSK));
  }

  @AfterAll
  static void stop() {
    clients.close();
    server.close();
    origin.close();
  }

  static byte[] request() {
    return "GET /small HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  }

  /** A valid first packet for the AEAD inbound: salt || chunk(address || request). */
  static byte[] aeadFirstPacket() {
    byte[] salt = new byte[32];
    RANDOM.nextBytes(salt);
    byte[] key = Kdf.evpBytesToKey(PASSWORD, 32);
    AeadStreamCodec codec =
        new AeadStreamCodec(new AeadCipher(CipherKind.AES_GCM, Kdf.aeadSubkey(key, salt)), 0x3FFF);
    byte[] addr = NoneServerHandshake.header(Destination.of("127.0.0.1", origin.port()));
    byte[] plain = new byte[addr.length + request().length];
    System.arraycopy(addr, 0, plain, 0, addr.length);
    System.arraycopy(request(), 0, plain, addr.length, request().length);
    byte[] out = new byte[salt.length + codec.sealedSize(plain.length)];
    System.arraycopy(salt, 0, out, 0, salt.length);
    codec.seal(plain, 0, plain.length, out, salt.length);
    return out;
  }

  /** A valid first packet for the SIP022 inbound. */
  static byte[] ss2022FirstPacket() {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    byte[] psk = Base64.getDecoder().decode(PSK);
    AeadStreamCodec codec =
        new AeadStreamCodec(
            new AeadCipher(CipherKind.AES_GCM, Kdf.sessionSubkey2022(psk, salt)), 0xFFFF);
    byte[] r = request();
    return Aead2022Client.encodeRequest(
        codec, salt, List.of(psk), Destination.of("127.0.0.1", origin.port()), r, 0, r.length);
  }

  /** Sends {@code probe}; returns everything received until the server closed. */
  static byte[] exchange(int port, byte[] probe) throws Exception {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.getOutputStream().write(probe);
      s.setSoTimeout(5000);
      return s.getInputStream().readAllBytes();
    }
  }

  /**
   * The one observable behaviour of a failed handshake: nothing comes back and the connection stays
   * open while the prober waits; after the prober's FIN the server closes, still silent.
   */
  static void assertIndistinguishableFailure(int port, byte[] probe) throws Exception {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.getOutputStream().write(probe);
      s.setSoTimeout(1000);
      InputStream in = s.getInputStream();
      assertThatThrownBy(in::read)
          .as("no reply and no close while the prober waits (%d bytes)", probe.length)
          .isInstanceOf(SocketTimeoutException.class);
      s.shutdownOutput();
      s.setSoTimeout(10_000);
      assertThat(in.read()).as("closed silently after the prober's FIN").isEqualTo(-1);
    }
  }

  static List<byte[]> randomProbes() {
    return List.of(1, 15, 16, 17, 31, 32, 33, 34, 50, 51, 100, 1000, 20_000, 70_000).stream()
        .map(n -> {
          byte[] b = new byte[n];
          RANDOM.nextBytes(b);
          return b;
        })
        .toList();
  }

  /** Runs probes while a good client keeps fetching through the same inbound. */
  static void whileGoodClientRuns(int socks, ThrowingRunnable probes) throws Exception {
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger good = new AtomicInteger();
    AtomicInteger bad = new AtomicInteger();
    Thread t =
        Thread.ofVirtual()
            .start(() -> {
              for (int i = 0; i < 200 && !done.get(); i++) {
                try {
                  Curl.Result r = Curl.run("--socks5", "127.0.0.1:" + socks, origin.url("/small"));
                  if (r.exitCode() == 0 && r.text().equals("ok\n")) {
                    good.incrementAndGet();
                  } else {
                    bad.incrementAndGet();
                  }
                } catch (Exception e) {
                  bad.incrementAndGet();
                }
              }
            });
    try {
      probes.run();
    } finally {
      done.set(true);
      t.join(java.time.Duration.ofSeconds(30));
    }
    assertThat(bad.get()).as("good client failures during probing").isZero();
    assertThat(good.get()).as("good client requests during probing").isPositive();
  }

  @FunctionalInterface
  interface ThrowingRunnable {
    void run() throws Exception;
  }

  @Test
  void aeadProbesAllLookAlike() throws Exception {
    whileGoodClientRuns(
        aeadSocks,
        () -> {
          for (byte[] probe : randomProbes()) {
            assertIndistinguishableFailure(aeadPort, probe);
          }
          byte[] badTag = aeadFirstPacket();
          badTag[32 + 17] ^= 1; // inside the length chunk's tag
          assertIndistinguishableFailure(aeadPort, badTag);

          byte[] first = aeadFirstPacket();
          assertThat(exchange(aeadPort, first)).as("the original is answered").isNotEmpty();
          assertIndistinguishableFailure(aeadPort, first);
        });
  }

  @Test
  void ss2022ProbesAllLookAlike() throws Exception {
    whileGoodClientRuns(
        ss2022Socks,
        () -> {
          for (byte[] probe : randomProbes()) {
            assertIndistinguishableFailure(ss2022Port, probe);
          }
          byte[] badTag = ss2022FirstPacket();
          badTag[16 + 11 + 3] ^= 1; // inside the fixed header's tag
          assertIndistinguishableFailure(ss2022Port, badTag);

          byte[] first = ss2022FirstPacket();
          assertThat(exchange(ss2022Port, first)).as("the original is answered").isNotEmpty();
          assertIndistinguishableFailure(ss2022Port, first);
        });
  }

  @Test
  void aWrongKeyLooksLikeRandomBytes() throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    byte[] other = new byte[32];
    RANDOM.nextBytes(other);
    AeadStreamCodec codec = new AeadStreamCodec(new AeadCipher(CipherKind.AES_GCM, other), 0x3FFF);
    byte[] sealed = new byte[codec.sealedSize(10)];
    codec.seal(new byte[10], 0, 10, sealed, 0);
    b.write(new byte[32]);
    b.write(sealed);
    assertIndistinguishableFailure(aeadPort, b.toByteArray());
  }
}
