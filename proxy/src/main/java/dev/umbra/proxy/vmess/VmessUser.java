package dev.umbra.proxy.vmess;

import dev.umbra.core.config.JsonName;

/** An entry of the vmess inbound's {@code users}. */
public record VmessUser(String name, String uuid, @JsonName("alterId") Integer alterId) {
  @Override
  public String toString() {
    return "VmessUser[" + name + "]"; // never the uuid
  }
}
