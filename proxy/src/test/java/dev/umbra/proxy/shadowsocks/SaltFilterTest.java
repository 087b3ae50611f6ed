package dev.umbra.proxy.shadowsocks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SaltFilterTest {
  @Test
  void secondUseOfASaltIsAReplay() {
    SaltFilter f = new SaltFilter(100, 0);
    byte[] salt = {1, 2, 3};
    assertThat(f.add(salt)).isTrue();
    assertThat(f.add(salt.clone())).isFalse();
    assertThat(f.add(new byte[] {1, 2, 4})).isTrue();
  }

  @Test
  void memoryIsBoundedButRecentSaltsAreRemembered() {
    SaltFilter f = new SaltFilter(10, 0);
    for (int i = 0; i < 1000; i++) {
      assertThat(f.add(new byte[] {(byte) (i >> 8), (byte) i})).isTrue();
    }
    // the last full generation is still known
    for (int i = 990; i < 1000; i++) {
      assertThat(f.contains(new byte[] {(byte) (i >> 8), (byte) i})).isTrue();
    }
    assertThat(f.contains(new byte[] {0, 0})).isFalse();
  }
}
