package dev.umbra.proxy.shadowsocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.net.Destination;
import dev.umbra.crypto.Blake3;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.modes.XChaCha20Poly1305;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;

/**
 * SIP022 byte by byte: every header field our client and server write is decoded here with the
 * spec's own constructions (BLAKE3 derive_key, JDK AES-GCM / AES-ECB, BouncyCastle XChaCha20), and
 * requests crafted by hand exercise each rule the server must enforce.
 */
class Ss2022WireTest {
  static final byte[] PSK = Base64.getDecoder().decode("QITrD68fpZ3UaRJvvduh3A==");
  static final byte[] USER = Base64.getDecoder().decode("zu7hPvi2nq2C99mN2yYucg==");
  static final Method.Aead2022 AES128 = (Method.Aead2022) Method.of("2022-blake3-aes-128-gcm");
  static final Destination DEST = Destination.of("example.com", 443);

  static byte[] salt() {
    byte[] s = new byte[16];
    for (int i = 0; i < 16; i++) {
      s[i] = (byte) (0xA0 + i);
    }
    return s;
  }

  static byte[] gcm(boolean enc, byte[] key, long nonce, byte[] in, int off, int len)
      throws Exception {
    byte[] n = new byte[12];
    for (int i = 0; i < 8; i++) {
      n[i] = (byte) (nonce >>> (8 * i)); // little-endian counter
    }
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(
        enc ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE,
        new SecretKeySpec(key, "AES"),
        new GCMParameterSpec(128, n));
    return c.doFinal(in, off, len);
  }

  static byte[] subkey(byte[] psk, byte[] salt) {
    return Blake3.deriveKey("shadowsocks 2022 session subkey", Kdf.concat(psk, salt), psk.length);
  }

  static long now() {
    return System.currentTimeMillis() / 1000;
  }

  @Test
  void requestHeaderFieldsFollowTheSpec() throws Exception {
    byte[] salt = salt();
    AeadStreamCodec codec =
        new AeadStreamCodec(
            new AeadCipher(CipherKind.AES_GCM, Kdf.sessionSubkey2022(PSK, salt)), 0xFFFF);
    byte[] payload = "GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
    byte[] req =
        Aead2022Client.encodeRequest(codec, salt, List.of(PSK), DEST, payload, 0, payload.length);

    assertThat(java.util.Arrays.copyOf(req, 16)).isEqualTo(salt);
    byte[] key = subkey(PSK, salt);
    byte[] fixed = gcm(false, key, 0, req, 16, 11 + 16);
    assertThat(fixed[0]).as("type: client stream").isEqualTo((byte) 0);
    long ts = ByteBuffer.wrap(fixed, 1, 8).getLong();
    assertThat(Math.abs(ts - now())).isLessThanOrEqualTo(2);
    int varLen = (fixed[9] & 0xff) << 8 | (fixed[10] & 0xff);
    assertThat(req.length).isEqualTo(16 + 11 + 16 + varLen + 16);
    ByteBuffer var = ByteBuffer.wrap(gcm(false, key, 1, req, 16 + 27, varLen + 16));
    assertThat(var.get()).as("ATYP domain").isEqualTo((byte) 3);
    byte[] host = new byte[var.get()];
    var.get(host);
    assertThat(new String(host, StandardCharsets.US_ASCII)).isEqualTo("example.com");
    assertThat(var.getShort() & 0xffff).isEqualTo(443);
    assertThat(var.getShort()).as("no padding when there is payload").isZero();
    byte[] initial = new byte[var.remaining()];
    var.get(initial);
    assertThat(initial).isEqualTo(payload);
  }

  @Test
  void requestWithoutPayloadCarriesPadding() throws Exception {
    byte[] salt = salt();
    AeadStreamCodec codec =
        new AeadStreamCodec(
            new AeadCipher(CipherKind.AES_GCM, Kdf.sessionSubkey2022(PSK, salt)), 0xFFFF);
    byte[] req = Aead2022Client.encodeRequest(codec, salt, List.of(PSK), DEST, new byte[0], 0, 0);
    byte[] key = subkey(PSK, salt);
    byte[] fixed = gcm(false, key, 0, req, 16, 27);
    int varLen = (fixed[9] & 0xff) << 8 | (fixed[10] & 0xff);
    ByteBuffer var = ByteBuffer.wrap(gcm(false, key, 1, req, 43, varLen + 16));
    var.position(1 + 1 + 11 + 2);
    int padding = var.getShort() & 0xffff;
    assertThat(padding).isBetween(1, 900);
    assertThat(var.remaining()).isEqualTo(padding);
  }

  @Test
  void identityHeaderIsAesOfNextPskHashUnderIdentitySubkey() throws Exception {
    byte[] salt = salt();
    AeadStreamCodec codec =
        new AeadStreamCodec(
            new AeadCipher(CipherKind.AES_GCM, Kdf.sessionSubkey2022(USER, salt)), 0xFFFF);
    byte[] req =
        Aead2022Client.encodeRequest(codec, salt, List.of(PSK, USER), DEST, new byte[1], 0, 1);
    byte[] identitySubkey =
        Blake3.deriveKey("shadowsocks 2022 identity subkey", Kdf.concat(PSK, salt), 16);
    Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
    ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(identitySubkey, "AES"));
    byte[] expected = ecb.doFinal(Blake3.hash(USER, 16));
    assertThat(java.util.Arrays.copyOfRange(req, 16, 32)).isEqualTo(expected);
    // and the session itself is keyed by the user PSK
    assertThat(gcm(false, subkey(USER, salt), 0, req, 32, 27)[0]).isZero();
  }

  @Test
  void responseHeaderEchoesTheRequestSalt() throws Exception {
    byte[] requestSalt = salt();
    byte[] responseSalt = new byte[16];
    AeadStreamCodec codec =
        new AeadStreamCodec(
            new AeadCipher(CipherKind.AES_GCM, Kdf.sessionSubkey2022(PSK, responseSalt)), 0xFFFF);
    byte[] payload = {1, 2, 3};
    byte[] resp =
        Aead2022ResponseStream.encodeFirst(codec, responseSalt, requestSalt, payload, 0, 3);
    byte[] key = subkey(PSK, responseSalt);
    byte[] header = gcm(false, key, 0, resp, 16, 1 + 8 + 16 + 2 + 16);
    assertThat(header[0]).as("type: server stream").isEqualTo((byte) 1);
    assertThat(Math.abs(ByteBuffer.wrap(header, 1, 8).getLong() - now())).isLessThanOrEqualTo(2);
    assertThat(java.util.Arrays.copyOfRange(header, 9, 25)).isEqualTo(requestSalt);
    assertThat((header[25] << 8) | header[26]).isEqualTo(3);
    assertThat(gcm(false, key, 1, resp, 16 + 43, 3 + 16)).isEqualTo(payload);
  }

  @Test
  void udpAesPacketLayout() throws Exception {
    Aead2022UdpClient client = new Aead2022UdpClient(AES128, List.of(PSK));
    byte[] p0 = client.seal(DEST, ByteBuffer.wrap(new byte[] {9, 9}));
    byte[] p1 = client.seal(DEST, ByteBuffer.wrap(new byte[] {9, 9}));
    Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
    ecb.init(Cipher.DECRYPT_MODE, new SecretKeySpec(PSK, "AES"));
    byte[] sep0 = ecb.doFinal(p0, 0, 16);
    byte[] sep1 = ecb.doFinal(p1, 0, 16);
    assertThat(java.util.Arrays.copyOf(sep0, 8))
        .as("same session id")
        .isEqualTo(java.util.Arrays.copyOf(sep1, 8));
    assertThat(ByteBuffer.wrap(sep0, 8, 8).getLong()).as("packet id counts from 0").isZero();
    assertThat(ByteBuffer.wrap(sep1, 8, 8).getLong()).isEqualTo(1);

    byte[] key = subkey(PSK, java.util.Arrays.copyOf(sep0, 8));
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    gcm.init(
        Cipher.DECRYPT_MODE,
        new SecretKeySpec(key, "AES"),
        new GCMParameterSpec(128, java.util.Arrays.copyOfRange(sep0, 4, 16)));
    ByteBuffer body = ByteBuffer.wrap(gcm.doFinal(p0, 16, p0.length - 16));
    assertThat(body.get()).as("type: client packet").isZero();
    assertThat(Math.abs(body.getLong() - now())).isLessThanOrEqualTo(2);
    assertThat(body.getShort()).as("padding length").isZero();
    assertThat(body.get()).isEqualTo((byte) 3);
    body.position(body.position() + 1 + 11 + 2);
    assertThat(body.remaining()).isEqualTo(2);
  }

  @Test
  void udpChachaPacketLayout() {
    byte[] psk = new byte[32];
    psk[0] = 7;
    Method.Aead2022 m = (Method.Aead2022) Method.of("2022-blake3-chacha20-poly1305");
    byte[] p = new Aead2022UdpClient(m, List.of(psk)).seal(DEST, ByteBuffer.wrap(new byte[] {5}));
    XChaCha20Poly1305 bc = new XChaCha20Poly1305();
    bc.init(
        false,
        new AEADParameters(new KeyParameter(psk), 128, java.util.Arrays.copyOf(p, 24), null));
    byte[] plain = new byte[bc.getOutputSize(p.length - 24)];
    try {
      int n = bc.processBytes(p, 24, p.length - 24, plain, 0);
      bc.doFinal(plain, n);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    ByteBuffer b = ByteBuffer.wrap(plain);
    b.getLong(); // session id
    assertThat(b.getLong()).as("packet id").isZero();
    assertThat(b.get()).as("type").isZero();
    assertThat(Math.abs(b.getLong() - now())).isLessThanOrEqualTo(2);
  }

  // --- server rules, with requests crafted by hand ---

  /** salt || seal(type, ts, len) || seal(variable) under nonces 0 and 1. */
  static byte[] craft(byte[] salt, int type, long ts, byte[] variable) throws Exception {
    byte[] key = subkey(PSK, salt);
    ByteBuffer fixed = ByteBuffer.allocate(11);
    fixed.put((byte) type).putLong(ts).putShort((short) variable.length);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(salt);
    out.write(gcm(true, key, 0, fixed.array(), 0, 11));
    out.write(gcm(true, key, 1, variable, 0, variable.length));
    return out.toByteArray();
  }

  static byte[] variable(int padding, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(1 + 4 + 2 + 2 + padding + payload.length);
    b.put((byte) 1).put(new byte[] {127, 0, 0, 1}).putShort((short) 80);
    b.putShort((short) padding).put(new byte[padding]).put(payload);
    return b.array();
  }

  static ServerRequest accept(SaltFilter filter, byte[] wire) throws Exception {
    Aead2022ServerHandshake h =
        new Aead2022ServerHandshake(AES128, Ss2022Keys.of(PSK, List.of()), filter);
    return h.accept(
        new SequenceInputStream(
            new ByteArrayInputStream(wire), new ByteArrayInputStream(new byte[0])),
        new ByteArrayOutputStream());
  }

  @Test
  void serverAcceptsAWellFormedRequest() throws Exception {
    byte[] wire = craft(salt(), 0, now(), variable(0, new byte[] {42}));
    ServerRequest r = accept(new SaltFilter(10, 0), wire);
    assertThat(r.destination()).isEqualTo(Destination.of("127.0.0.1", 80));
    assertThat(r.in().read()).isEqualTo(42);
  }

  @Test
  void serverRejectsStaleOrFutureTimestamps() throws Exception {
    assertThatThrownBy(() ->
            accept(new SaltFilter(10, 0), craft(salt(), 0, now() - 31, variable(5, new byte[0]))))
        .isInstanceOf(ShadowsocksException.class)
        .hasMessageContaining("timestamp");
    assertThatThrownBy(() ->
            accept(new SaltFilter(10, 0), craft(salt(), 0, now() + 31, variable(5, new byte[0]))))
        .isInstanceOf(ShadowsocksException.class)
        .hasMessageContaining("timestamp");
  }

  @Test
  void serverRejectsReplayedSalt() throws Exception {
    SaltFilter f = new SaltFilter(10, 0);
    byte[] wire = craft(salt(), 0, now(), variable(3, new byte[0]));
    accept(f, wire);
    assertThatThrownBy(() -> accept(f, wire))
        .isInstanceOf(ShadowsocksException.class)
        .hasMessageContaining("replayed");
  }

  @Test
  void serverRejectsWrongTypeEmptyRequestAndOversizedPadding() {
    assertThatThrownBy(
            () -> accept(new SaltFilter(10, 0), craft(salt(), 1, now(), variable(3, new byte[0]))))
        .isInstanceOf(ShadowsocksException.class)
        .hasMessageContaining("type");
    assertThatThrownBy(
            () -> accept(new SaltFilter(10, 0), craft(salt(), 0, now(), variable(0, new byte[0]))))
        .isInstanceOf(ShadowsocksException.class)
        .hasMessageContaining("neither padding nor payload");
    assertThatThrownBy(() ->
            accept(new SaltFilter(10, 0), craft(salt(), 0, now(), variable(901, new byte[0]))))
        .isInstanceOf(ShadowsocksException.class)
        .hasMessageContaining("padding");
  }

  @Test
  void serverRejectsABadTag() throws Exception {
    byte[] wire = craft(salt(), 0, now(), variable(3, new byte[0]));
    wire[20] ^= 1;
    assertThatThrownBy(() -> accept(new SaltFilter(10, 0), wire))
        .isInstanceOf(ShadowsocksException.class)
        .hasMessageContaining("authentication");
  }

  @Test
  void packetWindowAcceptsEachIdOnce() {
    PacketWindow w = new PacketWindow();
    assertThat(w.accept(5)).isTrue();
    assertThat(w.accept(5)).isFalse();
    assertThat(w.accept(3)).isTrue();
    assertThat(w.accept(5000)).isTrue();
    assertThat(w.accept(3)).as("behind the window").isFalse();
    assertThat(w.accept(4999)).isTrue();
    assertThat(w.accept(4999)).isFalse();
  }

  @Test
  void udpServerAndClientRoundTripAndRejectReplays() throws Exception {
    Aead2022UdpServer server = new Aead2022UdpServer(AES128, Ss2022Keys.of(PSK, List.of()));
    Aead2022UdpClient client = new Aead2022UdpClient(AES128, List.of(PSK));
    byte[] p = client.seal(DEST, ByteBuffer.wrap(new byte[] {1, 2, 3}));
    UdpServerCodec.Incoming in = server.open(p, p.length);
    assertThat(in.destination()).isEqualTo(DEST);
    assertThat(in.payload().remaining()).isEqualTo(3);
    assertThatThrownBy(() -> server.open(p, p.length))
        .isInstanceOf(ShadowsocksException.class)
        .hasMessageContaining("replayed");

    byte[] reply = in.replier().seal(DEST, ByteBuffer.wrap(new byte[] {4, 5}));
    ByteBuffer into = ByteBuffer.allocate(100);
    assertThat(client.open(reply, reply.length, into)).isEqualTo(DEST);
    assertThat(into.position()).isEqualTo(2);
    assertThatThrownBy(() -> client.open(reply, reply.length, ByteBuffer.allocate(100)))
        .isInstanceOf(ShadowsocksException.class);
  }
}
