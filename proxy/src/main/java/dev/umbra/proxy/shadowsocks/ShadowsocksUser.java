package dev.umbra.proxy.shadowsocks;

/** An entry of the inbound's {@code users}: a name for routing and stats, and its key. */
public record ShadowsocksUser(String name, String password) {
  @Override
  public String toString() {
    return "ShadowsocksUser[" + name + "]"; // never the password
  }
}
