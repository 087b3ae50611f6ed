package dev.umbra.proxy.trojan;

/** An entry of the trojan inbound's {@code users}. */
public record TrojanUser(String name, String password) {
  @Override
  public String toString() {
    return "TrojanUser[" + name + "]"; // never the password
  }
}
