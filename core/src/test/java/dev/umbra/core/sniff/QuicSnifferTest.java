package dev.umbra.core.sniff;

import static dev.umbra.core.sniff.QuicPackets.concat;
import static dev.umbra.core.sniff.QuicPackets.crypto;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
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

class QuicSnifferTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] RFC_DCID = HEX.parseHex("8394c8f03e515708");

  /** RFC 9001 A.2 / RFC 9369 A.2: the client's CRYPTO frame (the same in both), then PADDING. */
  private static final byte[] RFC_PAYLOAD =
      Arrays.copyOf(
          HEX.parseHex(
              "060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868"
                  + "04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578"
                  + "616d706c652e636f6dff01000100000a00080006001d00170018001000070005"
                  + "04616c706e000500050100000000003300260024001d00209370b2c9caa47fba"
                  + "baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400"
                  + "0d0010000e0403050306030203080408050806002d00020101001c0002400100"
                  + "3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000"
                  + "75300901100f088394c8f03e51570806048000ffff"),
          1162);

  private static final SniffResult RFC_RESULT =
      new SniffResult("quic", "example.com", null, List.of("alpn"));

  private static SniffOutcome sniff(byte[]... datagrams) {
    return new QuicSniffer().sniffPackets(Arrays.stream(datagrams).map(ByteBuffer::wrap).toList());
  }

  private static byte[] dcid() {
    return HEX.parseHex("0102030405060708090a");
  }

  @Test
  void initialKeysOfRfc9001AppendixA1() {
    QuicInitialKeys k = QuicInitialKeys.client(QuicVersion.V1, RFC_DCID);
    assertThat(HEX.formatHex(k.secret))
        .isEqualTo("c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea");
    assertThat(HEX.formatHex(k.key)).isEqualTo("1f369613dd76d5467730efcbe3b1a22d");
    assertThat(HEX.formatHex(k.iv)).isEqualTo("fa044b2f42a3fd3b46fb255c");
    assertThat(HEX.formatHex(k.hp)).isEqualTo("9f50449e04a0e810283a1e9933adedd2");
  }

  @Test
  void initialKeysOfRfc9369AppendixA1() {
    QuicInitialKeys k = QuicInitialKeys.client(QuicVersion.V2, RFC_DCID);
    assertThat(HEX.formatHex(k.secret))
        .isEqualTo("14ec9d6eb9fd7af83bf5a668bc17a7e283766aade7ecd0891f70f9ff7f4bf47b");
    assertThat(HEX.formatHex(k.key)).isEqualTo("8b1a0bc121284290a29e0971b5cd045d");
    assertThat(HEX.formatHex(k.iv)).isEqualTo("91f73e2351d8fa91660e909f");
    assertThat(HEX.formatHex(k.hp)).isEqualTo("45b95e15235d6f45a6b19cbcb0294ba9");
  }

  @Test
  void sealingTheRfcPayloadGivesTheRfcPacketExactly() {
    byte[] v1 =
        QuicPackets.protect(
            QuicVersion.V1,
            RFC_DCID,
            HEX.parseHex("c300000001088394c8f03e5157080000449e00000002"),
            4,
            2,
            RFC_PAYLOAD);
    assertThat(v1).isEqualTo(QuicPackets.resource("rfc9001-a2-client-initial.hex"));
    byte[] v2 =
        QuicPackets.protect(
            QuicVersion.V2,
            RFC_DCID,
            HEX.parseHex("d36b3343cf088394c8f03e5157080000449e00000002"),
            4,
            2,
            RFC_PAYLOAD);
    assertThat(v2).isEqualTo(QuicPackets.resource("rfc9369-a2-client-initial.hex"));
  }

  @Test
  void rfc9001ClientInitialNamesExampleCom() {
    assertThat(sniff(QuicPackets.resource("rfc9001-a2-client-initial.hex")))
        .isEqualTo(new SniffOutcome.Match(RFC_RESULT));
  }

  @Test
  void rfc9369QuicV2ClientInitialNamesExampleCom() {
    assertThat(sniff(QuicPackets.resource("rfc9369-a2-client-initial.hex")))
        .isEqualTo(new SniffOutcome.Match(RFC_RESULT));
    // the single-buffer entry point gives the same answer
    assertThat(
            new QuicSniffer()
                .sniff(ByteBuffer.wrap(QuicPackets.resource("rfc9369-a2-client-initial.hex"))))
        .isEqualTo(new SniffOutcome.Match(RFC_RESULT));
  }

  @Test
  void v1TypeBitsUnderV2AreNotAnInitial() {
    byte[] p = QuicPackets.resource("rfc9369-a2-client-initial.hex");
    // v2 with v1's Initial type bits (0b00) is a v2 Retry: a server packet
    p[0] = (byte) ((p[0] & 0xcf));
    assertThat(sniff(p)).isEqualTo(SniffOutcome.NO_MATCH);
  }

  @Test
  void clientHelloSplitOverThreeDatagramsOutOfOrder() {
    for (QuicVersion v : QuicVersion.values()) {
      byte[] hello = QuicPackets.clientHello("www.split.test", List.of("h3", "h3-29"), 2400);
      int a = 700;
      int b = 1800;
      // Chrome-like: the first datagram carries a later fragment before the first one, with PING
      // and PADDING between the frames; fragments of the rest come in later datagrams.
      byte[] d1 =
          QuicPackets.initial(
              v,
              dcid(),
              new byte[0],
              0,
              concat(crypto(hello, 400, a - 400), new byte[] {1, 0, 0}, crypto(hello, 0, 400)),
              1200);
      byte[] d2 =
          QuicPackets.initial(v, dcid(), new byte[0], 1, crypto(hello, b, hello.length - b), 1200);
      byte[] d3 = QuicPackets.initial(v, dcid(), new byte[0], 2, crypto(hello, a, b - a), 1200);
      SniffOutcome want =
          new SniffOutcome.Match(
              new SniffResult("quic", "www.split.test", null, List.of("h3", "h3-29")));
      assertThat(sniff(d1)).isEqualTo(SniffOutcome.NEED_MORE);
      assertThat(sniff(d1, d2)).isEqualTo(SniffOutcome.NEED_MORE);
      assertThat(sniff(d1, d2, d3)).as(v.name()).isEqualTo(want);
      // in any arrival order
      assertThat(sniff(d3, d1, d2)).isEqualTo(want);
      assertThat(sniff(d2, d3, d1)).isEqualTo(want);
    }
  }

  @Test
  void coalescedInitialAndZeroRttInOneDatagram() {
    byte[] hello = QuicPackets.clientHello("coalesced.test", List.of("h3"), 0);
    byte[] initial =
        QuicPackets.initial(
            QuicVersion.V1, dcid(), new byte[0], 0, crypto(hello, 0, hello.length), 0);
    // a 0-RTT packet after it (type 1 in v1), skipped by its length field
    byte[] zeroRtt = HEX.parseHex("d0000000010a0102030405060708090a00" + "4014" + "00".repeat(20));
    byte[] datagram = concat(initial, zeroRtt);
    assertThat(sniff(datagram))
        .isEqualTo(
            new SniffOutcome.Match(new SniffResult("quic", "coalesced.test", null, List.of("h3"))));
  }

  @Test
  void aDatagramOfAnotherConnectionIdIsIgnored() {
    byte[] hello = QuicPackets.clientHello("cid.test", List.of(), 1500);
    byte[] d1 =
        QuicPackets.initial(QuicVersion.V1, dcid(), new byte[0], 0, crypto(hello, 0, 1000), 1200);
    byte[] other =
        QuicPackets.initial(
            QuicVersion.V1,
            HEX.parseHex("ffffffffffffffff"),
            new byte[0],
            1,
            crypto(hello, 1000, hello.length - 1000),
            1200);
    byte[] d2 =
        QuicPackets.initial(
            QuicVersion.V1, dcid(), new byte[0], 1, crypto(hello, 1000, hello.length - 1000), 1200);
    assertThat(sniff(d1, other)).isEqualTo(SniffOutcome.NEED_MORE);
    assertThat(sniff(d1, other, d2))
        .isEqualTo(new SniffOutcome.Match(new SniffResult("quic", "cid.test", null)));
  }

  @Test
  void noServerNameStillMatchesQuic() {
    byte[] hello = QuicPackets.clientHello(null, List.of("h3"), 10);
    byte[] d =
        QuicPackets.initial(
            QuicVersion.V2, dcid(), new byte[0], 0, crypto(hello, 0, hello.length), 1200);
    assertThat(sniff(d))
        .isEqualTo(new SniffOutcome.Match(new SniffResult("quic", null, null, List.of("h3"))));
  }

  @Test
  void incompleteAfterTheDatagramBoundIsNotQuic() {
    byte[] hello = QuicPackets.clientHello("bound.test", List.of(), 4000);
    List<byte[]> ds = new ArrayList<>();
    for (int i = 0; i < QuicSniffer.MAX_DATAGRAMS; i++) {
      // always the same first fragment: the rest never arrives
      ds.add(
          QuicPackets.initial(QuicVersion.V1, dcid(), new byte[0], i, crypto(hello, 0, 500), 1200));
    }
    assertThat(sniff(ds.subList(0, 3).toArray(byte[][]::new))).isEqualTo(SniffOutcome.NEED_MORE);
    assertThat(sniff(ds.toArray(byte[][]::new))).isEqualTo(SniffOutcome.NO_MATCH);
  }

  @Test
  void hostileInitialsAreNotQuic() {
    byte[] rfc = QuicPackets.resource("rfc9001-a2-client-initial.hex");
    // every truncation of a real packet
    for (int cut = 0; cut < rfc.length; cut += 7) {
      assertThat(sniff(Arrays.copyOf(rfc, cut))).as("cut %d", cut).isEqualTo(SniffOutcome.NO_MATCH);
    }
    // a flipped ciphertext bit fails authentication
    byte[] flipped = rfc.clone();
    flipped[600] ^= 1;
    assertThat(sniff(flipped)).isEqualTo(SniffOutcome.NO_MATCH);
    // unknown version, too long a connection ID, a length beyond the datagram
    byte[] version = rfc.clone();
    version[4] = 2;
    assertThat(sniff(version)).isEqualTo(SniffOutcome.NO_MATCH);
    byte[] cid = rfc.clone();
    cid[5] = 21;
    assertThat(sniff(cid)).isEqualTo(SniffOutcome.NO_MATCH);
    byte[] length = rfc.clone();
    length[16] = (byte) 0x7f; // length varint 0x7f9e: past the end
    assertThat(sniff(length)).isEqualTo(SniffOutcome.NO_MATCH);
    byte[] shortCid =
        QuicPackets.initial(
            QuicVersion.V1,
            HEX.parseHex("0102"),
            new byte[0],
            0,
            crypto(QuicPackets.clientHello("x.test", List.of(), 0), 0, 60),
            1200);
    assertThat(sniff(shortCid)).isEqualTo(SniffOutcome.NO_MATCH);
  }

  @Test
  void framesNoClientSendsInAnInitialAreNotQuic() {
    byte[] hello = QuicPackets.clientHello("f.test", List.of(), 0);
    byte[] stream = concat(new byte[] {0x08, 0, 3, 'a', 'b', 'c'}, crypto(hello, 0, hello.length));
    assertThat(sniff(QuicPackets.initial(QuicVersion.V1, dcid(), new byte[0], 0, stream, 1200)))
        .isEqualTo(SniffOutcome.NO_MATCH);
    // CRYPTO data far beyond any ClientHello
    byte[] far = {0x06, (byte) 0x80, 0x10, 0, 0, 0x01, 'x'};
    assertThat(sniff(QuicPackets.initial(QuicVersion.V1, dcid(), new byte[0], 0, far, 1200)))
        .isEqualTo(SniffOutcome.NO_MATCH);
    // a CRYPTO frame whose length runs past the packet
    byte[] overrun = {0x06, 0x00, 0x44, 0x00, 'x'};
    assertThat(sniff(QuicPackets.initial(QuicVersion.V1, dcid(), new byte[0], 0, overrun, 0)))
        .isEqualTo(SniffOutcome.NO_MATCH);
    // a handshake message that is not a ClientHello (ServerHello, type 2)
    byte[] serverHello = hello.clone();
    serverHello[0] = 2;
    assertThat(
            sniff(
                QuicPackets.initial(
                    QuicVersion.V1,
                    dcid(),
                    new byte[0],
                    0,
                    crypto(serverHello, 0, hello.length),
                    1200)))
        .isEqualTo(SniffOutcome.NO_MATCH);
    // a ClientHello whose extension lengths lie
    byte[] lying = hello.clone();
    lying[4 + 2 + 32 + 1 + 4 + 2] = 0x7f;
    assertThat(
            sniff(
                QuicPackets.initial(
                    QuicVersion.V1, dcid(), new byte[0], 0, crypto(lying, 0, lying.length), 1200)))
        .isEqualTo(SniffOutcome.NO_MATCH);
  }

  @Property(tries = 300)
  void randomDatagramsAreNeverQuic(
      @ForAll @Size(min = 1, max = 4) List<@Size(max = 1500) byte[]> ds) {
    SniffOutcome o = sniff(ds.toArray(byte[][]::new));
    assertThat(o).isEqualTo(SniffOutcome.NO_MATCH);
  }

  @Property(tries = 200)
  void randomBytesAfterARealInitialNeverThrowOrChangeTheName(
      @ForAll @Size(max = 400) byte[] junk, @ForAll @IntRange(min = 0, max = 1199) int at) {
    byte[] rfc = QuicPackets.resource("rfc9001-a2-client-initial.hex");
    byte[] mutated = rfc.clone();
    System.arraycopy(junk, 0, mutated, at, Math.min(junk.length, mutated.length - at));
    SniffOutcome o = sniff(mutated, junk);
    if (o instanceof SniffOutcome.Match m) {
      assertThat(m.result()).isEqualTo(RFC_RESULT);
    } else {
      assertThat(o).isEqualTo(SniffOutcome.NO_MATCH);
    }
  }

  @Property(tries = 100)
  void anySplitOfAClientHelloIsReassembled(
      @ForAll("cuts") List<Integer> cuts, @ForAll boolean v2, @ForAll long seed) {
    QuicVersion v = v2 ? QuicVersion.V2 : QuicVersion.V1;
    byte[] hello = QuicPackets.clientHello("prop.example.test", List.of("h3"), 1900);
    List<Integer> points =
        new ArrayList<>(cuts.stream().map(c -> c % hello.length).sorted().toList());
    points.addFirst(0);
    points.add(hello.length);
    List<byte[]> frames = new ArrayList<>();
    for (int i = 0; i + 1 < points.size(); i++) {
      int from = points.get(i);
      int to = points.get(i + 1);
      if (to > from) {
        frames.add(crypto(hello, from, to - from));
      }
    }
    java.util.Collections.shuffle(frames, new java.util.Random(seed));
    // pack frames into packets of at most ~1100 bytes of frames, one packet per datagram
    List<byte[]> datagrams = new ArrayList<>();
    byte[] current = new byte[0];
    long pn = 0;
    for (byte[] f : frames) {
      if (current.length > 0 && current.length + f.length > 1100) {
        datagrams.add(QuicPackets.initial(v, dcid(), new byte[] {9}, pn++, current, 1200));
        current = new byte[0];
      }
      current = concat(current, f);
    }
    datagrams.add(QuicPackets.initial(v, dcid(), new byte[] {9}, pn, current, 1200));
    org.junit.jupiter.api.Assumptions.assumeTrue(datagrams.size() <= QuicSniffer.MAX_DATAGRAMS);
    assertThat(sniff(datagrams.toArray(byte[][]::new)))
        .isEqualTo(
            new SniffOutcome.Match(
                new SniffResult("quic", "prop.example.test", null, List.of("h3"))));
  }

  @Provide
  Arbitrary<List<Integer>> cuts() {
    return Arbitraries.integers().between(1, 100_000).list().ofMaxSize(12);
  }
}
