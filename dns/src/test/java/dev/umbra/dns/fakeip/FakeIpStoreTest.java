package dev.umbra.dns.fakeip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class FakeIpStoreTest {

  @Test
  void handsOutStableAddressesInTheRangeAndMapsThemBack() throws Exception {
    FakeIpStore s = new FakeIpStore("198.18.0.0/15", "fc00::/18");
    InetAddress a = s.allocate("a.test", false);
    InetAddress b = s.allocate("b.test", false);
    assertThat(a.getHostAddress()).isEqualTo("198.18.0.1");
    assertThat(b.getHostAddress()).isEqualTo("198.18.0.2");
    assertThat(s.allocate("a.test", false)).isEqualTo(a);
    assertThat(s.lookup(a)).contains("a.test");
    assertThat(s.lookup(b)).contains("b.test");
    InetAddress v6 = s.allocate("a.test", true);
    assertThat(v6.getHostAddress()).isEqualTo("fc00:0:0:0:0:0:0:1");
    assertThat(s.lookup(v6)).contains("a.test");
    assertThat(s.contains(InetAddress.getByName("198.19.255.254"))).isTrue();
    assertThat(s.contains(InetAddress.getByName("198.20.0.1"))).isFalse();
    assertThat(s.lookup(InetAddress.getByName("198.19.0.1"))).isEmpty();
    assertThat(s.lookup(InetAddress.getByName("10.0.0.1"))).isEmpty();
  }

  @Test
  void aFullRingRecyclesTheOldestAddress() throws Exception {
    FakeIpStore s = new FakeIpStore("10.0.0.0/29", null); // 6 usable addresses
    InetAddress first = s.allocate("d0.test", false);
    for (int i = 1; i < 6; i++) {
      s.allocate("d" + i + ".test", false);
    }
    assertThat(s.lookup(first)).contains("d0.test");
    InetAddress recycled = s.allocate("d6.test", false);
    assertThat(recycled).isEqualTo(first);
    assertThat(s.lookup(first)).contains("d6.test");
    // d0 lost its address and gets a new one (the next oldest)
    assertThat(s.allocate("d0.test", false).getHostAddress()).isEqualTo("10.0.0.2");
    assertThat(s.lookup(InetAddress.getByName("10.0.0.2"))).contains("d0.test");
  }

  @Test
  void restorePutsMappingsBack() throws Exception {
    FakeIpStore s = new FakeIpStore("198.18.0.0/15", null);
    s.restore("kept.test", InetAddress.getByName("198.18.3.4"));
    assertThat(s.lookup(InetAddress.getByName("198.18.3.4"))).contains("kept.test");
    assertThat(s.allocate("kept.test", false).getHostAddress()).isEqualTo("198.18.3.4");
    assertThat(s.snapshot(false)).containsEntry("kept.test", InetAddress.getByName("198.18.3.4"));
  }

  @Test
  void rejectsWrongFamilies() {
    assertThatThrownBy(() -> new FakeIpStore("fc00::/18", null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new FakeIpStore(null, "10.0.0.0/8"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new FakeIpStore("10.0.0.0/32", null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
