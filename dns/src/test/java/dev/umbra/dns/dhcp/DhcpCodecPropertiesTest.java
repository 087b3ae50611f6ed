package dev.umbra.dns.dhcp;

import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Whatever arrives on port 68, the codec and the option readers either return values or throw
 * DhcpFormatException, and the client's checks drop what is not our answer without throwing.
 */
class DhcpCodecPropertiesTest {
  private static final byte[] VALID =
      DhcpCodecTest.ack(
          0x01020304,
          DhcpCodecTest.concat(
              DhcpCodecTest.opts(53, 1, 5, 54, 4, 10, 0, 0, 1, 6, 8, 10, 0, 0, 1, 9, 9, 9, 9),
              DhcpCodecTest.opts(15, 3, 'l', 'a', 'n'),
              DhcpCodecTest.opts(
                  119, 14, 3, 'e', 'n', 'g', 3, 'l', 'a', 'n', 0, 2, 'o', 'p', 0xc0, 4),
              DhcpCodecTest.opts(52, 1, 3, 255)));

  static {
    VALID[108] = (byte) 255; // overloaded file and sname: just an end option each
    VALID[44] = (byte) 255;
  }

  static void parseCleanly(byte[] wire) {
    try {
      DhcpMessage m = DhcpCodec.parse(wire, 0, wire.length);
      m.messageType();
      try {
        m.dnsServers();
      } catch (DhcpFormatException expected) {
        // a clean refusal
      }
      try {
        m.domainSearch();
      } catch (DhcpFormatException expected) {
        // a clean refusal
      }
      try {
        m.domainName();
        m.serverId();
      } catch (DhcpFormatException expected) {
        // a clean refusal
      }
      new DhcpClient("prop", java.time.Duration.ZERO, java.time.Duration.ZERO)
          .accept(m, "test", 0x01020304, DhcpMessage.ACK, DhcpCodecTest.MAC);
    } catch (DhcpFormatException expected) {
      // a clean refusal
    }
  }

  @Property(tries = 2000)
  void randomBytes(@ForAll @Size(max = 700) byte[] wire) {
    parseCleanly(wire);
  }

  @Property(tries = 2000)
  void randomOptionsAfterAValidHeader(@ForAll @Size(max = 400) byte[] options) {
    byte[] wire = Arrays.copyOf(VALID, 240 + options.length);
    System.arraycopy(options, 0, wire, 240, options.length);
    parseCleanly(wire);
  }

  @Property(tries = 2000)
  void truncated(@ForAll @IntRange(min = 0, max = 400) int length) {
    parseCleanly(Arrays.copyOf(VALID, Math.min(length, VALID.length)));
  }

  @Property(tries = 3000)
  void mutated(@ForAll("mutations") int[] flips) {
    byte[] wire = VALID.clone();
    for (int i = 0; i + 1 < flips.length; i += 2) {
      wire[flips[i] % wire.length] = (byte) flips[i + 1];
    }
    parseCleanly(wire);
  }

  @Provide
  Arbitrary<int[]> mutations() {
    return Arbitraries.integers().between(0, 1 << 16).array(int[].class).ofMinSize(2).ofMaxSize(16);
  }
}
