package dev.umbra.proxy.vmess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.net.Destination;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** VMess KDF, header and body chunk codecs without sockets. */
class VmessCodecTest {
  @Test
  void kdfWithoutPathIsHmacSha256KeyedWithTheLabel() {
    // python3 -c "import hmac,hashlib; print(hmac.new(b'VMess AEAD KDF', b'key',
    // hashlib.sha256).hexdigest())"
    assertThat(
            HexFormat.of()
                .formatHex(VmessKdf.kdf("key".getBytes(StandardCharsets.US_ASCII), new String[0])))
        .isEqualTo("385e28ac08671660f62ac976f5e64a31827aea172eff77cb2b046c52de9c08b0");
  }

  @Test
  void shakeStreamsTheWholeXofOutputAcrossBlocks() {
    byte[] seed = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    org.bouncycastle.crypto.digests.SHAKEDigest d =
        new org.bouncycastle.crypto.digests.SHAKEDigest(128);
    d.update(seed, 0, seed.length);
    byte[] expected = new byte[1000];
    d.doOutput(expected, 0, expected.length);
    Shake s = new Shake(seed);
    for (int i = 0; i < expected.length; i += 2) {
      assertThat(s.next()).isEqualTo(((expected[i] & 0xff) << 8) | (expected[i + 1] & 0xff));
    }
  }

  @Test
  void fnv1aOfKnownInput() {
    // FNV-1a 32 of "a" is 0xe40c292c
    assertThat(VmessHeader.fnv1a(new byte[] {'a'}, 0, 1)).isEqualTo(0xe40c292c);
  }

  @Test
  void authIdCarriesTimeAndCrc() {
    byte[] cmdKey = new byte[16];
    byte[] id = VmessHeader.authId(cmdKey, 1_700_000_000L, 5);
    Cipher d = VmessHeader.authIdCipher(cmdKey, Cipher.DECRYPT_MODE);
    assertThat(VmessHeader.authIdTime(d, id)).isEqualTo(1_700_000_000L);
    id[3] ^= 1;
    assertThat(VmessHeader.authIdTime(VmessHeader.authIdCipher(cmdKey, Cipher.DECRYPT_MODE), id))
        .isNull();
  }

  @Test
  void headerSealsOpensAndRejectsTampering() throws Exception {
    byte[] cmdKey = VmessHeader.cmdKey(new byte[16]);
    VmessHeader.Request r =
        new VmessHeader.Request(
            new byte[16],
            new byte[16],
            200,
            5,
            Security.CHACHA20_POLY1305,
            VmessHeader.UDP,
            Destination.of("example.org", 853));
    byte[] plain = VmessHeader.encode(r, new byte[] {1, 2, 3});
    byte[] authId = VmessHeader.authId(cmdKey, 1, 2);
    byte[] nonce = {1, 2, 3, 4, 5, 6, 7, 8};
    byte[] sealed = VmessHeader.seal(cmdKey, authId, nonce, plain);
    int len =
        VmessHeader.openLength(cmdKey, authId, nonce, java.util.Arrays.copyOfRange(sealed, 16, 34));
    assertThat(len).isEqualTo(plain.length);
    byte[] body = java.util.Arrays.copyOfRange(sealed, 42, sealed.length);
    VmessHeader.Request back =
        VmessHeader.decode(VmessHeader.openHeader(cmdKey, authId, nonce, body));
    assertThat(back.destination()).isEqualTo(r.destination());
    assertThat(back.security()).isEqualTo(Security.CHACHA20_POLY1305);
    assertThat(back.responseAuth()).isEqualTo(200);
    assertThat(back.options()).isEqualTo(5);
    body[3] ^= 1;
    assertThatThrownBy(() -> VmessHeader.openHeader(cmdKey, authId, nonce, body))
        .isInstanceOf(AEADBadTagException.class);
    plain[plain.length - 1] ^= 1;
    assertThatThrownBy(() -> VmessHeader.decode(plain)).isInstanceOf(ProtocolException.class);
  }

  @Test
  void responseHeaderRoundTrip() throws Exception {
    byte[] k = new byte[16];
    byte[] iv = new byte[16];
    iv[0] = 9;
    byte[] s = VmessHeader.sealResponse(k, iv, 77);
    assertThat(VmessHeader.openResponseLength(k, iv, java.util.Arrays.copyOf(s, 18))).isEqualTo(4);
    assertThat(VmessHeader.openResponse(k, iv, java.util.Arrays.copyOfRange(s, 18, 38))[0] & 0xff)
        .isEqualTo(77);
  }

  @ParameterizedTest
  @CsvSource({
    "AES_128_GCM, 5",
    "AES_128_GCM, 13",
    "AES_128_GCM, 29",
    "AES_128_GCM, 21",
    "CHACHA20_POLY1305, 13",
    "CHACHA20_POLY1305, 29",
    "NONE, 1",
    "NONE, 5"
  })
  void chunksRoundTripAndEndWithAnEmptyChunk(Security security, int options) throws Exception {
    Random r = new Random(options);
    byte[] key = new byte[16];
    byte[] iv = new byte[16];
    r.nextBytes(key);
    r.nextBytes(iv);
    BodyKeys keys = new BodyKeys(security, options, key, iv, key, iv);
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    ChunkWriter w = new ChunkWriter(wire, keys);
    byte[] data = new byte[100_000];
    r.nextBytes(data);
    w.write(data, 0, 1);
    w.write(data, 1, 40_000);
    w.write(data, 40_001, data.length - 40_001);
    w.finish();
    ChunkReader reader = new ChunkReader(new ByteArrayInputStream(wire.toByteArray()), keys);
    assertThat(reader.readAllBytes()).isEqualTo(data);

    byte[] tampered = wire.toByteArray();
    tampered[tampered.length / 2] ^= 0x40;
    if (security.aead()) {
      assertThatThrownBy(
              () -> new ChunkReader(new ByteArrayInputStream(tampered), keys).readAllBytes())
          .isInstanceOf(java.io.IOException.class);
    }
  }

  /** Hands out at most {@code max} bytes per read, like a carrier that splits chunks anywhere. */
  private static java.io.InputStream trickle(byte[] wire, int max) {
    return new ByteArrayInputStream(wire) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, max));
      }
    };
  }

  @ParameterizedTest
  @CsvSource({"AES_128_GCM, 13, 1, 7", "AES_128_GCM, 29, 100, 3", "NONE, 5, 3000, 1000"})
  void chunksSplitAnywhereOnTheCarrierReadBackWhole(
      Security security, int options, int readSize, int carrierPiece) throws Exception {
    Random r = new Random(readSize);
    byte[] key = new byte[16];
    byte[] iv = new byte[16];
    r.nextBytes(key);
    r.nextBytes(iv);
    BodyKeys keys = new BodyKeys(security, options, key, iv, key, iv);
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    ChunkWriter w = new ChunkWriter(wire, keys);
    byte[] data = new byte[50_000];
    r.nextBytes(data);
    for (int off = 0; off < data.length; off += 1999) {
      w.write(data, off, Math.min(1999, data.length - off));
    }
    w.finish();
    ChunkReader reader = new ChunkReader(trickle(wire.toByteArray(), carrierPiece), keys);
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buf = new byte[readSize];
    for (int n; (n = reader.read(buf, 0, buf.length)) >= 0; ) {
      got.write(buf, 0, n);
    }
    assertThat(got.toByteArray()).isEqualTo(data);
    assertThat(reader.read(buf, 0, buf.length)).isEqualTo(-1);
  }

  @Test
  void oneReadReturnsEverySmallChunkAlreadyBuffered() throws Exception {
    byte[] key = new byte[16];
    byte[] iv = new byte[16];
    BodyKeys keys = new BodyKeys(Security.AES_128_GCM, 13, key, iv, key, iv);
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    ChunkWriter w = new ChunkWriter(wire, keys);
    byte[] data = new byte[2048];
    for (int i = 0; i < 10; i++) {
      w.write(data, 0, data.length); // ten chunks of 2 KiB, as v2ray sends them
    }
    w.finish();
    ChunkReader reader = new ChunkReader(new ByteArrayInputStream(wire.toByteArray()), keys);
    byte[] buf = new byte[64 * 1024];
    assertThat(reader.read(buf, 0, buf.length)).isEqualTo(10 * 2048);
    assertThat(reader.read(buf, 0, buf.length)).isEqualTo(-1);
  }
}
