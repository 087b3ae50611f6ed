package dev.umbra.proxy.trojan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.core.net.Destination;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The Trojan request and UDP frame bytes. */
class TrojanCodecTest {
  @Test
  void keyIsLowercaseHexOfSha224() {
    // python3 -c "import hashlib; print(hashlib.sha224(b'peer-test-password').hexdigest())"
    assertThat(new String(Trojan.key("peer-test-password"), StandardCharsets.US_ASCII))
        .isEqualTo("53df33e71316e8ec49ab6e8d2acefb52c77d361408872780a585b20f");
  }

  @Test
  void requestLayout() {
    byte[] key = Trojan.key("x");
    byte[] r = Trojan.request(key, Trojan.CONNECT, Destination.of("example.com", 443));
    String tail = HexFormat.of().formatHex(r, 56, r.length);
    // CRLF, CONNECT, domain type 3, length 11, "example.com", port 443, CRLF
    assertThat(tail).isEqualTo("0d0a0103" + "0b" + "6578616d706c652e636f6d" + "01bb" + "0d0a");
    for (int i = 0; i < r.length && i < 58; i++) {
      assertThat(Trojan.plausible(i, r[i])).isTrue();
    }
    assertThat(Trojan.plausible(0, (byte) 'G')).isFalse();
    assertThat(Trojan.plausible(56, (byte) 'a')).isFalse();
  }

  @Test
  void udpFrameLayout() {
    ByteBuffer out = ByteBuffer.allocate(64);
    Trojan.writePacket(out, Destination.of("127.0.0.1", 53), ByteBuffer.wrap(new byte[] {9, 8}));
    assertThat(HexFormat.of().formatHex(out.array(), 0, out.position()))
        .isEqualTo("017f000001" + "0035" + "0002" + "0d0a" + "0908");
  }
}
