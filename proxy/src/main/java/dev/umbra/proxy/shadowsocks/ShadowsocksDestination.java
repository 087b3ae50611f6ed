package dev.umbra.proxy.shadowsocks;

/** An entry of the inbound's {@code destinations} (SIP022 relay): the next server and its key. */
public record ShadowsocksDestination(
    String name, String password, String server, Integer serverPort) {
  @Override
  public String toString() {
    return "ShadowsocksDestination[" + name + " " + server + ":" + serverPort + "]";
  }
}
