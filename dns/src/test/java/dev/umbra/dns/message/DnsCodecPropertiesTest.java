package dev.umbra.dns.message;

import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.xbill.DNS.Message;

/** Whatever bytes arrive, the codec either returns a message or throws DnsFormatException. */
class DnsCodecPropertiesTest {
  private static final byte[] VALID;

  static {
    try {
      VALID = DnsCodec.encode(DnsCodecTest.sampleResponse());
    } catch (Exception e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  static void parseCleanly(byte[] wire) {
    try {
      Message m = DnsCodec.parse(wire, DnsLimits.DEFAULT);
      // what parsed must also encode again without surprises
      DnsCodec.encode(m);
      DnsCodec.encode(m, 512);
    } catch (DnsFormatException expected) {
      // a clean refusal
    }
  }

  @Property(tries = 3000)
  void randomBytes(@ForAll @Size(max = 600) byte[] wire) {
    parseCleanly(wire);
  }

  @Property(tries = 2000)
  void randomBodiesBehindAPlausibleHeader(
      @ForAll @Size(max = 400) byte[] body,
      @ForAll @IntRange(max = 3) int qd,
      @ForAll @IntRange(max = 6) int an,
      @ForAll @IntRange(max = 3) int ar) {
    parseCleanly(DnsCodecTest.concat(DnsCodecTest.header(7, 0x8180, qd, an, 0, ar), body));
  }

  @Property(tries = 2000)
  void truncatedValidMessages(@ForAll("cut") int length) {
    parseCleanly(Arrays.copyOf(VALID, length));
  }

  @Property(tries = 5000)
  void mutatedValidMessages(@ForAll("mutations") int[][] edits) {
    byte[] wire = VALID.clone();
    for (int[] e : edits) {
      wire[e[0] % wire.length] = (byte) e[1];
    }
    parseCleanly(wire);
  }

  @Provide
  Arbitrary<Integer> cut() {
    return Arbitraries.integers().between(0, VALID.length);
  }

  @Provide
  Arbitrary<int[][]> mutations() {
    Arbitrary<int[]> edit =
        Arbitraries.integers()
            .between(0, 10_000)
            .list()
            .ofSize(2)
            .map(l -> new int[] {l.get(0), l.get(1) & 0xff});
    return edit.array(int[][].class).ofMinSize(1).ofMaxSize(6);
  }
}
