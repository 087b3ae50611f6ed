package dev.umbra.proxy.shadowsocks;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The keys of a SIP022 server: its own PSK (the identity PSK when it has users) and, by PSK hash,
 * each user's PSK.
 */
record Ss2022Keys(byte[] psk, Map<ByteBuffer, User> users) {
  /** A user: name and PSK. */
  record User(String name, byte[] psk) {}

  static Ss2022Keys of(byte[] psk, List<User> users) {
    Map<ByteBuffer, User> m = new HashMap<>();
    for (User u : users) {
      m.put(ByteBuffer.wrap(Kdf.pskHash2022(u.psk())), u);
    }
    return new Ss2022Keys(psk, Map.copyOf(m));
  }

  boolean multiUser() {
    return !users.isEmpty();
  }

  User user(byte[] pskHash) {
    return users.get(ByteBuffer.wrap(pskHash));
  }
}
