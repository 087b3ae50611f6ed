package dev.umbra.proxy.shadowsocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** SIP004 key derivation and chunk framing: vectors, layout, round trips, hostile input. */
class AeadStreamCodecTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void evpBytesToKeyMatchesOpenssl() {
    // openssl enc -aes-256-cbc -k peer-test-password -nosalt -P -md md5
    assertThat(HEX.formatHex(Kdf.evpBytesToKey("peer-test-password", 32)))
        .isEqualTo("2200e968ef9cf0a1d34a089a5078752885974cc1ede1e7158b63c0c200bef0bc");
    assertThat(HEX.formatHex(Kdf.evpBytesToKey("peer-test-password", 16)))
        .isEqualTo("2200e968ef9cf0a1d34a089a50787528");
  }

  @Test
  void subkeyIsHkdfSha1WithSsSubkeyInfo() {
    byte[] key = Kdf.evpBytesToKey("peer-test-password", 16);
    byte[] salt = new byte[16];
    for (int i = 0; i < 16; i++) {
      salt[i] = (byte) i;
    }
    // computed independently with Python's hmac module (RFC 5869 by hand)
    assertThat(HEX.formatHex(Kdf.aeadSubkey(key, salt)))
        .isEqualTo("b7610d769c161be2f3bcc894b051da44");
  }

  @Test
  void nonceCountsLittleEndian() {
    byte[] n = new byte[12];
    n[0] = (byte) 0xff;
    AeadCipher.increment(n);
    assertThat(n[0]).isZero();
    assertThat(n[1]).isEqualTo((byte) 1);
    AeadCipher c = new AeadCipher(CipherKind.AES_GCM, new byte[16]);
    c.seal(new byte[1], 0, 1, new byte[17], 0);
    c.seal(new byte[1], 0, 1, new byte[17], 0);
    assertThat(c.nonce()[0]).isEqualTo((byte) 2);
  }

  @Test
  void chunkLayoutIsSealedLengthThenSealedPayload() throws Exception {
    byte[] subkey = new byte[32];
    AeadStreamCodec enc =
        new AeadStreamCodec(new AeadCipher(CipherKind.CHACHA20_POLY1305, subkey), 0x3FFF);
    byte[] payload = "hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] out = new byte[enc.sealedSize(payload.length)];
    int n = enc.seal(payload, 0, payload.length, out, 0);
    assertThat(n).isEqualTo(2 + 16 + 5 + 16);

    // Open by hand: nonce 0 for the length, nonce 1 for the payload.
    AeadCipher dec = new AeadCipher(CipherKind.CHACHA20_POLY1305, subkey);
    byte[] len = new byte[2];
    dec.open(out, 0, 18, len, 0);
    assertThat(len).containsExactly(0, 5);
    byte[] p = new byte[5];
    dec.open(out, 18, 21, p, 0);
    assertThat(p).isEqualTo(payload);
  }

  @Test
  void largeWritesSplitAtMaxPayload() {
    AeadStreamCodec enc =
        new AeadStreamCodec(new AeadCipher(CipherKind.AES_GCM, new byte[16]), 0x3FFF);
    int len = 0x3FFF * 2 + 1;
    assertThat(enc.sealedSize(len)).isEqualTo(len + 3 * AeadStreamCodec.OVERHEAD);
    assertThat(enc.seal(new byte[len], 0, len, new byte[enc.sealedSize(len)], 0))
        .isEqualTo(enc.sealedSize(len));
  }

  @Provide
  Arbitrary<CipherKind> kinds() {
    return Arbitraries.of(CipherKind.values());
  }

  private static byte[] key(CipherKind k) {
    return new byte[k == CipherKind.AES_GCM ? 16 : 32];
  }

  private static byte[] sealStream(CipherKind kind, byte[] data, List<Integer> cuts)
      throws IOException {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    AeadOutputStream out =
        new AeadOutputStream(
            wire, new AeadStreamCodec(new AeadCipher(kind, key(kind)), 0x3FFF), null);
    int off = 0;
    for (int cut : cuts) {
      int n = Math.min(cut, data.length - off);
      out.write(data, off, n);
      off += n;
    }
    out.write(data, off, data.length - off);
    return wire.toByteArray();
  }

  private static InputStream openStream(CipherKind kind, byte[] wire) {
    return new AeadInputStream(
        new ByteArrayInputStream(wire),
        new AeadStreamCodec(new AeadCipher(kind, key(kind)), 0x3FFF));
  }

  @Property(tries = 60)
  void anyWritePatternRoundTrips(
      @ForAll("kinds") CipherKind kind,
      @ForAll @Size(max = 70_000) byte[] data,
      @ForAll @Size(max = 8) List<@IntRange(min = 0, max = 40_000) Integer> cuts)
      throws IOException {
    byte[] wire = sealStream(kind, data, cuts);
    assertThat(openStream(kind, wire).readAllBytes()).isEqualTo(data);
  }

  @Property(tries = 60)
  void anyFlippedByteFailsAuthentication(
      @ForAll("kinds") CipherKind kind,
      @ForAll @Size(min = 1, max = 3000) byte[] data,
      @ForAll @IntRange(min = 0, max = 100_000) int where,
      @ForAll @IntRange(min = 1, max = 255) int mask)
      throws IOException {
    byte[] wire = sealStream(kind, data, List.of());
    wire[where % wire.length] ^= (byte) mask;
    assertThatThrownBy(() -> openStream(kind, wire).readAllBytes())
        .isInstanceOf(ShadowsocksException.class);
  }

  @Property(tries = 40)
  void truncatedStreamIsAnErrorNotShortData(
      @ForAll("kinds") CipherKind kind,
      @ForAll @Size(min = 1, max = 3000) byte[] data,
      @ForAll @IntRange(min = 1, max = 100_000) int cut) {
    byte[] wire;
    try {
      wire = sealStream(kind, data, List.of());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    int keep = wire.length - 1 - (cut % (wire.length - 1));
    byte[] truncated = java.util.Arrays.copyOf(wire, keep);
    assertThatThrownBy(() -> openStream(kind, truncated).readAllBytes())
        .isInstanceOf(IOException.class);
  }

  /** A carrier that hands out at most a few bytes per read, like a slow network. */
  private static final class Trickle extends InputStream {
    private final ByteArrayInputStream in;
    private final java.util.Random random;
    private final int max;

    Trickle(byte[] data, long seed, int max) {
      this.in = new ByteArrayInputStream(data);
      this.random = new java.util.Random(seed);
      this.max = max;
    }

    @Override
    public int read() {
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) {
      return in.read(b, off, Math.min(len, 1 + random.nextInt(max)));
    }
  }

  @Property(tries = 60)
  void fragmentedCarrierAndAnyReadSizesRoundTrip(
      @ForAll("kinds") CipherKind kind,
      @ForAll @IntRange(min = 0, max = 200_000) int size,
      @ForAll long seed,
      @ForAll @IntRange(min = 1, max = 70_000) int carrierMax,
      @ForAll @IntRange(min = 1, max = 70_000) int readMax)
      throws IOException {
    byte[] data = new byte[size];
    new java.util.Random(seed).nextBytes(data);
    byte[] wire = sealStream(kind, data, List.of(size / 3, 1, 16_383, 16_384));
    InputStream in =
        new AeadInputStream(
            new Trickle(wire, seed, carrierMax),
            new AeadStreamCodec(new AeadCipher(kind, key(kind)), 0x3FFF));
    java.util.Random reads = new java.util.Random(~seed);
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] b = new byte[70_000];
    int n;
    while ((n = in.read(b, 0, 1 + reads.nextInt(readMax))) >= 0) {
      assertThat(n).isPositive();
      got.write(b, 0, n);
    }
    assertThat(got.toByteArray()).isEqualTo(data);
  }

  /** A carrier that records the size of every write it gets. */
  private static final class WriteSizes extends java.io.OutputStream {
    final List<Integer> sizes = new java.util.ArrayList<>();

    @Override
    public void write(int b) {
      sizes.add(1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      sizes.add(len);
    }
  }

  @Test
  void bulkWritesGoOutSeveralChunksPerCarrierWrite() throws IOException {
    WriteSizes counting = new WriteSizes();
    List<Integer> writes = counting.sizes;
    byte[] salt = new byte[16];
    AeadOutputStream out =
        new AeadOutputStream(
            counting,
            new AeadStreamCodec(new AeadCipher(CipherKind.AES_GCM, new byte[16]), 0x3FFF),
            salt);
    out.write(new byte[4 * 0x3FFF], 0, 4 * 0x3FFF);
    out.write(new byte[10], 0, 10);
    // A relay's 64 KiB read: four full chunks and a 4-byte one, all in one carrier write.
    out.write(new byte[65536], 0, 65536);
    assertThat(writes)
        .containsExactly(
            16 + 4 * (0x3FFF + AeadStreamCodec.OVERHEAD),
            10 + AeadStreamCodec.OVERHEAD,
            65536 + 5 * AeadStreamCodec.OVERHEAD);
  }

  @Test
  void relaySizedWritesAreWholeChunksInOneCarrierWrite() throws IOException {
    for (int max : new int[] {AeadStreamCodec.MAX_PAYLOAD_AEAD, AeadStreamCodec.MAX_PAYLOAD_2022}) {
      WriteSizes counting = new WriteSizes();
      List<Integer> writes = counting.sizes;
      AeadOutputStream out =
          new AeadOutputStream(
              counting,
              new AeadStreamCodec(new AeadCipher(CipherKind.AES_GCM, new byte[16]), max),
              null);
      assertThat(out.framePayload()).isEqualTo(max);
      // What the relay reads for a framed destination: 64 KiB cut down to whole chunks.
      int bulk = 64 * 1024 / max * max;
      int chunks = bulk / max;
      out.write(new byte[bulk], 0, bulk);
      out.write(new byte[bulk], 0, bulk);
      // One byte more: the runt chunk goes in the same carrier write.
      out.write(new byte[bulk + 1], 0, bulk + 1);
      int full = chunks * (max + AeadStreamCodec.OVERHEAD);
      assertThat(writes).containsExactly(full, full, full + 1 + AeadStreamCodec.OVERHEAD);
    }
  }

  @Property(tries = 40)
  void anyWritePatternRoundTripsAtBothChunkLimits(
      @ForAll("kinds") CipherKind kind,
      @ForAll boolean sip022,
      @ForAll @IntRange(min = 0, max = 400_000) int size,
      @ForAll long seed,
      @ForAll @Size(max = 12) List<@IntRange(min = 0, max = 200_000) Integer> cuts,
      @ForAll @IntRange(min = 1, max = 200_000) int carrierMax)
      throws IOException {
    int max = sip022 ? AeadStreamCodec.MAX_PAYLOAD_2022 : AeadStreamCodec.MAX_PAYLOAD_AEAD;
    byte[] data = new byte[size];
    new java.util.Random(seed).nextBytes(data);
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    AeadOutputStream out =
        new AeadOutputStream(
            wire, new AeadStreamCodec(new AeadCipher(kind, key(kind)), max), new byte[7]);
    int off = 0;
    for (int cut : cuts) {
      int n = Math.min(cut, data.length - off);
      out.write(data, off, n);
      off += n;
    }
    out.write(data, off, data.length - off);
    out.flush();
    byte[] sealed = wire.toByteArray();
    assertThat(java.util.Arrays.copyOf(sealed, 7)).isEqualTo(new byte[7]); // prefix first
    AeadInputStream in =
        new AeadInputStream(
            new Trickle(java.util.Arrays.copyOfRange(sealed, 7, sealed.length), seed, carrierMax),
            new AeadStreamCodec(new AeadCipher(kind, key(kind)), max));
    assertThat(in.readAllBytes()).isEqualTo(data);
    // Bounded whatever arrives: one whole chunk plus the bulk room.
    assertThat(in.capacity()).isLessThanOrEqualTo(max + AeadStreamCodec.OVERHEAD + 64 * 1024);
  }

  @Test
  void inputBufferStaysBoundedUnderMaximalChunksArrivingAllAtOnce() throws IOException {
    AeadStreamCodec enc =
        new AeadStreamCodec(new AeadCipher(CipherKind.AES_GCM, new byte[16]), 0x3FFF);
    byte[] data = new byte[3 << 20];
    byte[] wire = new byte[enc.sealedSize(data.length)];
    enc.seal(data, 0, data.length, wire, 0);
    AeadInputStream in =
        new AeadInputStream(
            new ByteArrayInputStream(wire),
            new AeadStreamCodec(new AeadCipher(CipherKind.AES_GCM, new byte[16]), 0x3FFF));
    byte[] b = new byte[1 << 20];
    long total = 0;
    int n;
    while ((n = in.read(b, 0, b.length)) >= 0) {
      total += n;
      assertThat(in.capacity()).isLessThanOrEqualTo(0x3FFF + AeadStreamCodec.OVERHEAD + 64 * 1024);
    }
    assertThat(total).isEqualTo(data.length);
  }

  @Test
  void lengthAboveLimitIsRejected() throws Exception {
    byte[] k = new byte[16];
    AeadCipher c = new AeadCipher(CipherKind.AES_GCM, k);
    byte[] forged = new byte[18];
    c.seal(new byte[] {(byte) 0x40, 0}, 0, 2, forged, 0);
    AeadStreamCodec dec = new AeadStreamCodec(new AeadCipher(CipherKind.AES_GCM, k), 0x3FFF);
    assertThatThrownBy(() -> dec.openLength(forged, 0))
        .isInstanceOf(ShadowsocksException.class)
        .hasMessageContaining("exceeds");
  }

  @Test
  void inputBufferStartsEmpty() {
    AeadInputStream in =
        new AeadInputStream(
            new ByteArrayInputStream(new byte[0]),
            new AeadStreamCodec(new AeadCipher(CipherKind.AES_GCM, new byte[16]), 0x3FFF));
    assertThat(in.available()).isZero();
  }
}
