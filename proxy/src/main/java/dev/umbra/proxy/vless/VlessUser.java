package dev.umbra.proxy.vless;

/** An entry of the vless inbound's {@code users}. */
public record VlessUser(String name, String uuid, String flow) {
  @Override
  public String toString() {
    return "VlessUser[" + name + "]"; // never the uuid
  }
}
